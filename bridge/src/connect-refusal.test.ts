import { describe, expect, it } from "vitest";
import { connectRefusalBytes, readConnectHeader } from "./connect-refusal";

function connect(name: string, level: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, name.length]),
    Buffer.from(name, "latin1"),
    Buffer.from([level, 0x02, 0, 60, 0, 0]),
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

describe("connect refusal", () => {
  it("reads the protocol name and level of a CONNECT", () => {
    expect(readConnectHeader(connect("MQTT", 6))).toEqual({ name: "MQTT", level: 6 });
    expect(readConnectHeader(Buffer.from([0x30, 0x02, 0, 0]))).toBeUndefined();
    expect(readConnectHeader(Buffer.from([0x10]))).toBeUndefined();
  });

  it("answers levels other than 3, 4, 5 with 3.1.1 return code 1 [MQTT-3.1.2-2]", () => {
    for (const level of [0, 2, 6, 255]) {
      expect(connectRefusalBytes(connect("MQTT", level))).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x01]));
    }
  });

  it("answers a foreign protocol name, in MQTT 5's form (0x84) when the level is 5", () => {
    expect(connectRefusalBytes(connect("MQTX", 4))).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x01]));
    expect(connectRefusalBytes(connect("AMQP", 5))).toEqual(Buffer.from([0x20, 0x03, 0x00, 0x84, 0x00]));
  });

  it("leaves served protocols to the parser", () => {
    expect(connectRefusalBytes(connect("MQTT", 4))).toBeUndefined();
    expect(connectRefusalBytes(connect("MQTT", 5))).toBeUndefined();
    expect(connectRefusalBytes(connect("MQIsdp", 3))).toBeUndefined();
  });
});
