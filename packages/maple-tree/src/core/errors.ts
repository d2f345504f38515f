// Errors of @maplemm/maple-tree: the kernel's negative errno values (returned by the kernel layer)
// and MapleError (thrown by the idiomatic layer), with one stable literal code per errno.

/** Invalid argument (C `EINVAL`). */
export const EINVAL = 22;
/** Out of node memory: the arena reached its capacity (C `ENOMEM`). */
export const ENOMEM = 12;
/** No window of the requested size (C `EBUSY`). */
export const EBUSY = 16;
/** Part of the range is occupied (C `EEXIST`). */
export const EEXIST = 17;

/** The stable codes carried by {@link MapleError}. */
export type MapleErrorCode = "EINVAL" | "ENOMEM" | "EBUSY" | "EEXIST";

const CODE_OF_ERRNO: Readonly<Record<number, MapleErrorCode>> = {
  [EINVAL]: "EINVAL",
  [ENOMEM]: "ENOMEM",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
};

/** The error thrown by the idiomatic `MapleTree` API; `code` names the kernel errno. */
export class MapleError extends Error {
  readonly code: MapleErrorCode;
  constructor(code: MapleErrorCode, message: string) {
    super(message);
    this.name = "MapleError";
    this.code = code;
  }

  /** Builds the error for a negative errno returned by the kernel layer. */
  static fromErrno(errno: number, where: string, detail = ""): MapleError {
    const code = CODE_OF_ERRNO[-errno] ?? "EINVAL";
    return new MapleError(code, `maple-tree/${where}: ${code}${detail ? `: ${detail}` : ""}`);
  }
}
