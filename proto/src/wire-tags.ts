/**
 * Protobuf wire tags (`field number << 3 | wire type`) named from the generated descriptors,
 * for readers that parse the wire format by hand (the collector's SampleBatch decoder): a
 * field renamed, renumbered or retyped in the .proto changes the tag here, never silently
 * only in one reader.
 */
import { ScalarType, type DescField, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";

/** The fields of a message by their TypeScript (local) name. */
export type FieldName<Desc extends DescMessage> = Exclude<keyof MessageShape<Desc>, "$typeName" | "$unknown"> & string;

/** The tag of field `number` with `wireType`. */
export function wireTag(number: number, wireType: WireType): number {
  return ((number << 3) | wireType) >>> 0;
}

/** Tag of the key (field 1) of a map entry whose keys are strings. */
export const MAP_KEY_STRING_TAG = wireTag(1, WireType.LengthDelimited);
/** Tag of the value (field 2) of a map entry whose values are strings or messages. */
export const MAP_VALUE_LENGTH_DELIMITED_TAG = wireTag(2, WireType.LengthDelimited);

function scalarWireType(t: ScalarType): WireType {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

/** The wire type of one value of the field (of one element, for a repeated field). */
function elementWireType(f: DescField): WireType {
  switch (f.fieldKind) {
    case "scalar":
      return scalarWireType(f.scalar);
    case "enum":
      return WireType.Varint;
    case "message":
    case "map":
      return WireType.LengthDelimited;
    case "list":
      return f.listKind === "scalar" ? scalarWireType(f.scalar) : f.listKind === "enum" ? WireType.Varint : WireType.LengthDelimited;
  }
}

function fieldOf(schema: DescMessage, name: string): DescField {
  const f = schema.fields.find((x) => x.localName === name);
  if (f === undefined) throw new Error(`${schema.typeName} has no field ${name}`);
  return f;
}

/**
 * The tag the field is written with: length-delimited for strings, bytes, messages, maps and
 * packed repeated scalars, else the wire type of its scalar.
 */
export function fieldTag<Desc extends DescMessage>(schema: Desc, name: FieldName<Desc>): number {
  const f = fieldOf(schema, name);
  const packed = f.fieldKind === "list" && f.packed;
  return wireTag(f.number, packed ? WireType.LengthDelimited : elementWireType(f));
}

/**
 * The tag of one element of a repeated scalar written unpacked (readers must accept both forms
 * of a packable field).
 */
export function elementTag<Desc extends DescMessage>(schema: Desc, name: FieldName<Desc>): number {
  const f = fieldOf(schema, name);
  return wireTag(f.number, elementWireType(f));
}
