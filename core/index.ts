export { createKernel, Kernel, KernelOptionsSchema, type KernelOptions } from './kernel';
export { definePlugin, type PluginDefinition, type PluginOptions, type Teardown, type OptionsSchema, type InputOf, type OutputOf } from './plugin';
export { VERSION } from './version';
export { defineParser, decodeLimitsOptions, msgpackLimitsOptions, type ParserPluginParts } from './parser-plugin';
export { DEFAULT_DECODE_LIMITS, decodeFailure, overLimit, type DecodeLimits } from './decode-limits';
export { ServerContext, type ControlHandler } from './context';
export { SERVER_HOOKS, type ServerHookName, type ServerHooks, type HookOrder, type HookOptions, type Next } from './hooks';
export { Spark, type SparkDecorations, type SparkInit, type SparkTransport, type SparkAddress, type EndOptions } from './spark';
export type { KernelEvents, SparkEvents, EventTuples, Listener, TypedEmitter, WithEvents } from './events';
export { Slots, type ServerTransformer } from './slots';
export { BROADCAST_CHANNEL, type Broker, type BrokerPayload, type BrokerHandler } from './broker';
export type { MessageLedger } from './ledger';
export { Registry } from './registry';
export type { InjectionContainer, InjectionToken, InjectionProvider, Injectable, DelayedInjectable, ResolutionInterceptor } from './injection';
export { AllsparkError, ParserError, PrimusError, ErrorCodes, type ErrorCode } from './errors';
export { requireOptional, MissingPackageError } from './optional';
export { CONTROL_PREFIX, controlMessage, parseControl } from './control';
export { runPipeline, fromPrimusTransform, type Step, type PrimusTransform } from './transforms';
export type { Frame, Parser, Packet, PreparedFrame } from './types';
export type { ParserLayer } from './parser-layers';
export type { KernelRequest } from './http';
export { exposeRequest, deferRequestProperty, type SparkRequest } from './request';
// The client kernel is exported from `core/client` (and the package root), so a
// server that never makes Node clients does not load it.
export type { ClientPluginHalf } from './client/types';
