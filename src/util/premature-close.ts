/** The error Node's streams give when the other side goes away before the end (stream.finished's code). */
export function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
}
