import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isConsumerNotFound } from "./consumer.js";

describe("consumer not found", () => {
  it("is told by JetStream's API error code, not by the message text", () => {
    expect(isConsumerNotFound(new JetStreamApiError({ code: 404, err_code: JetStreamApiCodes.ConsumerNotFound, description: "consumer not found" }))).toBe(true);
    expect(isConsumerNotFound(new JetStreamApiError({ code: 404, err_code: JetStreamApiCodes.StreamNotFound, description: "stream not found" }))).toBe(false);
    expect(isConsumerNotFound(new Error("consumer not found"))).toBe(false);
  });
});
