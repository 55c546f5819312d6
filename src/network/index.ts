/**
 * The pure network model: IPAM, networks, sandboxes and endpoints, the files the engine writes,
 * the embedded DNS, published ports and the firewall. No I/O: the engine and API wire it in.
 */
export * from './addr.js';
export * from './bitmap.js';
export * from './dns.js';
export * from './errors.js';
export * from './files.js';
export * from './firewall.js';
export * from './inspect.js';
export * from './ipam.js';
export * from './names.js';
export * from './chains.js';
export * from './packet.js';
export * from './network.js';
export * from './ports.js';
export * from './sandbox.js';
export * from './render.js';
