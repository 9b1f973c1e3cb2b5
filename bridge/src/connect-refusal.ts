/**
 * What to answer a CONNECT whose protocol name or level the bridge does not serve. mqtt-packet
 * refuses to parse such a packet at all, so this reads the fixed header and the variable header's
 * first fields from the raw bytes.
 */

const SUPPORTED_NAMES = new Set(["MQTT", "MQIsdp"]);
const SUPPORTED_LEVELS = new Set([3, 4, 5]);

/**
 * The protocol name and level of a CONNECT packet's first bytes, or undefined when the bytes are
 * not (the start of) a CONNECT.
 *
 * @example
 * ```ts
 * readConnectHeader(Buffer.from([0x10, 0x0a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06])); // { name: "MQTT", level: 6 }
 * ```
 */
export function readConnectHeader(bytes: Buffer): { name: string; level: number } | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x10) return undefined;
  let pos = 1;
  // The remaining length: 1 to 4 bytes, 7 bits each, high bit = more.
  for (let i = 0; i < 4; i++) {
    const byte = bytes[pos++];
    if (byte === undefined) return undefined;
    if ((byte & 0x80) === 0) break;
    if (i === 3) return undefined;
  }
  if (pos + 2 > bytes.length) return undefined;
  const nameLength = bytes.readUInt16BE(pos);
  pos += 2;
  if (nameLength > 16 || pos + nameLength + 1 > bytes.length) return undefined;
  const name = bytes.toString("latin1", pos, pos + nameLength);
  const level = bytes[pos + nameLength]!;
  return { name, level };
}

/**
 * The bytes of the CONNACK refusing an unsupported protocol name or level, or undefined when the
 * CONNECT's name and level are served (its parse failed for another reason). [MQTT-3.1.2-2]: MQTT
 * 3.1.1's return code 0x01 "unacceptable protocol level"; a device that said level 5 gets MQTT 5's
 * CONNACK with reason 0x84 "unsupported protocol version". The connection is closed after it.
 *
 * @example
 * ```ts
 * connectRefusalBytes(Buffer.from([0x10, 0x0a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06])); // <20 02 00 01>
 * ```
 */
export function connectRefusalBytes(bytes: Buffer): Buffer | undefined {
  const header = readConnectHeader(bytes);
  if (!header) return undefined;
  // Bridge-mode levels (0x80 + level, as mosquitto bridges send) are what mqtt-packet accepts too.
  const level = header.level >= 0x80 ? header.level - 0x80 : header.level;
  if (SUPPORTED_NAMES.has(header.name) && SUPPORTED_LEVELS.has(level)) return undefined;
  if (level === 5) return Buffer.from([0x20, 0x03, 0x00, 0x84, 0x00]);
  return Buffer.from([0x20, 0x02, 0x00, 0x01]);
}
