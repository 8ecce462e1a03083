/**
 * The agent's control endpoint: NATS request/reply on its own host's subjects only,
 * `fleetprof.ctl.<host>.capture`, `.dump` and `.status`, each a protobuf request answered by a
 * protobuf reply. Capture outcomes are published to `fleetprof.ctl.<host>.capture.<id>.done`.
 * Status is also answered on the one fleet-wide subject `fleetprof.ctl.all.status`.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { errorMessage, type Logger } from "@fleetprof/common";
import {
  AgentStatusReplySchema,
  CaptureReply_Status,
  CaptureReplySchema,
  CaptureRequestSchema,
  captureDoneSubject,
  CONTROL_VERBS,
  controlSubject,
  DumpReplySchema,
  DumpRequestSchema,
  fleetStatusSubject,
  type AgentStatusReply,
  type CaptureReply,
  type CaptureRequest,
  type ControlVerb,
  type DumpReply,
  type DumpRequest,
} from "@fleetprof/proto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";

export interface ControlHandlers {
  capture: (req: CaptureRequest) => CaptureReply;
  dump: (req: DumpRequest) => Promise<DumpReply>;
  status: () => AgentStatusReply;
}

export class ControlServer {
  readonly #subs: Subscription[] = [];
  #nc: NatsConnection | undefined;

  constructor(
    private readonly host: string,
    private readonly handlers: ControlHandlers,
    private readonly log: Logger,
  ) {}

  /** Subscribes on this connection (which reconnects, and resubscribes, by itself). */
  attach(nc: NatsConnection): void {
    this.#nc = nc;
    const subjects: [string, ControlVerb][] = CONTROL_VERBS.map((verb) => [controlSubject(this.host, verb), verb]);
    // The fleet-wide status subject: the query API finds processes there that sent no samples (blocked in cpu mode).
    // A host whose token is `all` already listens on it.
    if (!subjects.some(([s]) => s === fleetStatusSubject())) subjects.push([fleetStatusSubject(), "status"]);
    for (const [subject, verb] of subjects) {
      this.#subs.push(
        nc.subscribe(subject, {
          callback: (err, msg) => {
            if (err !== null) {
              this.log.warn({ err, subject }, `control subscription ${subject} failed: ${err.message}`);
              return;
            }
            void this.serve(verb, msg);
          },
        }),
      );
    }
    this.log.info({ subjects: subjects.map(([s]) => s) }, "control endpoint listening");
  }

  /** Publishes a capture's outcome (dropped when not connected yet). */
  notify(captureId: string, reply: CaptureReply): void {
    const nc = this.#nc;
    if (nc === undefined || nc.isClosed()) return;
    try {
      nc.publish(captureDoneSubject(this.host, captureId), toBinary(CaptureReplySchema, reply));
    } catch (err) {
      this.log.warn({ err, captureId }, `cannot publish the outcome of capture ${captureId}: ${errorMessage(err)}`);
    }
  }

  close(): void {
    for (const s of this.#subs) s.unsubscribe();
    this.#subs.length = 0;
  }

  private async serve(verb: ControlVerb, msg: Msg): Promise<void> {
    if (msg.reply === undefined || msg.reply === "") {
      this.log.debug({ subject: msg.subject }, "control message without a reply subject ignored");
      return;
    }
    try {
      let data: Uint8Array;
      switch (verb) {
        case "capture": {
          let req: CaptureRequest;
          try {
            req = fromBinary(CaptureRequestSchema, msg.data);
          } catch (err) {
            data = toBinary(
              CaptureReplySchema,
              create(CaptureReplySchema, {
                status: CaptureReply_Status.FAILED,
                host: this.host,
                message: `cannot decode the CaptureRequest: ${errorMessage(err)}`,
              }),
            );
            break;
          }
          data = toBinary(CaptureReplySchema, this.handlers.capture(req));
          break;
        }
        case "dump": {
          let req: DumpRequest;
          try {
            req = fromBinary(DumpRequestSchema, msg.data);
          } catch (err) {
            data = toBinary(DumpReplySchema, create(DumpReplySchema, { host: this.host, error: `cannot decode the DumpRequest: ${errorMessage(err)}` }));
            break;
          }
          data = toBinary(DumpReplySchema, await this.handlers.dump(req));
          break;
        }
        case "status":
          data = toBinary(AgentStatusReplySchema, this.handlers.status());
          break;
      }
      msg.respond(data);
    } catch (err) {
      this.log.error({ err, subject: msg.subject }, `control request on ${msg.subject} failed: ${errorMessage(err)}`);
    }
  }
}
