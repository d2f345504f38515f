// The control words the shared maps page and its worker share (an Int32Array over a
// SharedArrayBuffer): stop flag, renders so far, worker ready.
export const C_STOP = 0;
export const C_RENDERS = 1;
export const C_READY = 2;
