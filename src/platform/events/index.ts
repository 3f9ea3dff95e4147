export { publish, checkChannel, MAX_PAYLOAD_BYTES } from './channel.ts';
export { EventBus, type EventBusOptions, type Subscriber, type Subscription } from './bus.ts';
export type { EventLog } from './connection.ts';
export { lastEventIdOf, SseStream, SseStreams, type SseEvent, type SseSettings } from './sse.ts';
