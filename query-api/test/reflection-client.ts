/** A test client for server reflection: one bidi stream, requests in, responses out. */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { grpcReflectionV1, grpcReflectionV1alpha } from "@fleetprof/proto";
import { serviceDefinition } from "../src/grpc/adapter.js";

type V1Request = MessageInitShape<typeof grpcReflectionV1.ServerReflectionRequestSchema>;

export async function reflectionCall(
  address: string,
  version: "v1" | "v1alpha",
  requests: V1Request["messageRequest"][],
  token?: string,
): Promise<grpcReflectionV1.ServerReflectionResponse[]> {
  const pkg = version === "v1" ? grpcReflectionV1 : grpcReflectionV1alpha;
  const def = serviceDefinition(pkg.ServerReflection)["serverReflectionInfo"];
  const v1 = serviceDefinition(grpcReflectionV1.ServerReflection)["serverReflectionInfo"];
  if (def === undefined || v1 === undefined) throw new Error("no method");
  // Requests serialized as v1 (identical wire form), responses decoded as v1.
  const method = { path: def.path, requestSerialize: v1.requestSerialize, responseDeserialize: v1.responseDeserialize };
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  try {
    return await new Promise((resolve, reject) => {
      const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata, {});
      const out: grpcReflectionV1.ServerReflectionResponse[] = [];
      call.on("data", (r: grpcReflectionV1.ServerReflectionResponse) => out.push(r));
      call.on("error", reject);
      call.on("end", () => resolve(out));
      // v1 and v1alpha messages are wire-identical: build v1, serialize with the version's schema.
      for (const r of requests) call.write(create(grpcReflectionV1.ServerReflectionRequestSchema, r === undefined ? {} : { messageRequest: r }));
      call.end();
    });
  } finally {
    client.close();
  }
}
