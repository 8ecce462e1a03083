import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isJetStreamError, JetStreamErrorCode } from "./nats-errors.js";

describe("JetStream errors", () => {
  it("are told by JetStream's API error code, not by the message text (a missing consumer, 10014)", () => {
    const notFound = (err_code: number, description: string): JetStreamApiError => new JetStreamApiError({ code: 404, err_code, description });
    expect(isJetStreamError(notFound(JetStreamApiCodes.ConsumerNotFound, "consumer not found"), JetStreamErrorCode.ConsumerNotFound)).toBe(true);
    expect(isJetStreamError(notFound(JetStreamApiCodes.StreamNotFound, "stream not found"), JetStreamErrorCode.ConsumerNotFound)).toBe(false);
    expect(isJetStreamError(new Error("consumer not found"), JetStreamErrorCode.ConsumerNotFound)).toBe(false);
  });
});
