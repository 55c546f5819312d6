/**
 * The process model: a kernel that runs programs in PID namespaces, the Program interface an applet
 * is written against, the busybox programs the model has (sh among them), streams and clocks.
 */
export * from './program.js';
export * from './signals.js';
export { Kernel, nameLoader, type KernelOptions, type Loader, type StartRequest } from './kernel.js';
export { PidNamespace, Proc, HOST_PID_NS_INODE, type Uts } from './process.js';
export { RealClock, VirtualClock, settle, type Clock } from './clock.js';
export { Pipe, CollectSink, bytesSource, callbackSink, nullSink, nullSource, type Sink, type Source } from './stream.js';
export { vfsPort, processView, type FsPort } from './fsport.js';
export { ProcessKilled, SysError, isKilled, isSysErrno, strerror, type SysErrno } from './errno.js';
export { busyboxPrograms } from './programs/index.js';
