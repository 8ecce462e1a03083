/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), so `grpcurl list`, `grpcurl
 * describe` and calls without local .proto files work. Descriptors come from the generated
 * code's embedded FileDescriptorProtos; a file is always sent with its dependencies.
 */
import { create, createRegistry, fromBinary, toBinary, type DescFile, type DescMessage, type Message, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { status as grpcStatus, type ServerDuplexStream, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { grpcReflectionV1 } from "@fleetprof/proto";

type Request = grpcReflectionV1.ServerReflectionRequest;
type Response = grpcReflectionV1.ServerReflectionResponse;

export class ReflectionService {
  readonly #registry: Registry;
  readonly #files = new Map<string, DescFile>();
  readonly #services: string[];

  /** `files`: the files declaring the served services (dependencies are followed). */
  constructor(files: readonly DescFile[], services: readonly string[]) {
    this.#registry = createRegistry(...files);
    const add = (f: DescFile): void => {
      if (this.#files.has(f.proto.name)) return;
      this.#files.set(f.proto.name, f);
      f.dependencies.forEach(add);
    };
    files.forEach(add);
    this.#services = [...services].sort();
  }

  #fileOfSymbol(symbol: string): DescFile | undefined {
    const desc = this.#registry.get(symbol);
    if (desc !== undefined) return desc.file;
    // A method: "pkg.Service.Method".
    const dot = symbol.lastIndexOf(".");
    if (dot === -1) return undefined;
    const parent = this.#registry.getService(symbol.slice(0, dot));
    return parent?.methods.some((m) => m.name === symbol.slice(dot + 1)) === true ? parent.file : undefined;
  }

  /** The file and its transitive dependencies, serialized, the file first. */
  #withDependencies(file: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (f: DescFile): void => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      for (const d of f.dependencies) visit(d);
    };
    visit(file);
    return out;
  }

  /** The answer to one request, as a plain object of the v1 shape (v1alpha is wire-identical). */
  answer(request: Request): Omit<Response, "$typeName" | "originalRequest"> {
    const r = request.messageRequest;
    const error = (code: grpcStatus, message: string): Omit<Response, "$typeName" | "originalRequest"> => ({
      validHost: request.host,
      messageResponse: { case: "errorResponse", value: { $typeName: "grpc.reflection.v1.ErrorResponse", errorCode: code, errorMessage: message } },
    });
    const files = (f: DescFile | undefined, what: string): Omit<Response, "$typeName" | "originalRequest"> =>
      f === undefined
        ? error(grpcStatus.NOT_FOUND, `${what} not found`)
        : {
            validHost: request.host,
            messageResponse: {
              case: "fileDescriptorResponse",
              value: { $typeName: "grpc.reflection.v1.FileDescriptorResponse", fileDescriptorProto: this.#withDependencies(f) },
            },
          };
    switch (r.case) {
      case "listServices":
        return {
          validHost: request.host,
          messageResponse: {
            case: "listServicesResponse",
            value: {
              $typeName: "grpc.reflection.v1.ListServiceResponse",
              service: this.#services.map((name) => ({ $typeName: "grpc.reflection.v1.ServiceResponse", name })),
            },
          },
        };
      case "fileByFilename":
        return files(this.#files.get(r.value), `file ${r.value}`);
      case "fileContainingSymbol":
        return files(this.#fileOfSymbol(r.value), `symbol ${r.value}`);
      case "fileContainingExtension":
        return error(grpcStatus.NOT_FOUND, "no extensions are served");
      case "allExtensionNumbersOfType": {
        if (this.#registry.getMessage(r.value) === undefined) return error(grpcStatus.NOT_FOUND, `type ${r.value} not found`);
        return {
          validHost: request.host,
          messageResponse: {
            case: "allExtensionNumbersResponse",
            value: { $typeName: "grpc.reflection.v1.ExtensionNumberResponse", baseTypeName: r.value, extensionNumber: [] },
          },
        };
      }
      default:
        return error(grpcStatus.INVALID_ARGUMENT, "empty reflection request");
    }
  }

  /**
   * A handler for `ServerReflectionInfo` of one protocol version (v1 or v1alpha: the same
   * messages under another package, converted through their identical wire form).
   */
  implementation(requestSchema: DescMessage, responseSchema: DescMessage): UntypedServiceImplementation {
    const v1Request = grpcReflectionV1.ServerReflectionRequestSchema;
    const v1Response = grpcReflectionV1.ServerReflectionResponseSchema;
    return {
      serverReflectionInfo: (call: ServerDuplexStream<Message, Message>) => {
        call.on("data", (req: Message) => {
          const request = requestSchema === v1Request ? (req as Request) : fromBinary(v1Request, toBinary(requestSchema, req));
          const response = create(v1Response, { ...this.answer(request), originalRequest: request });
          call.write(responseSchema === v1Response ? response : fromBinary(responseSchema, toBinary(v1Response, response)));
        });
        call.on("end", () => call.end());
        call.on("error", () => call.end());
      },
    };
  }
}
