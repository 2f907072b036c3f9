/**
 * simple-peer and its stream dependencies were written for Node and read the globals
 * `process` and `Buffer` while they run. The Vite config aliases the packages, but a
 * bundle has no globals, so this module installs them. It must be the first import of
 * any entry that loads simple-peer: ES modules evaluate in import order, so everything
 * imported after it sees the globals.
 */
import process from 'process';
import { Buffer } from 'buffer';

const scope = globalThis as unknown as Record<string, unknown>;
scope.process ??= process;
scope.Buffer ??= Buffer;
