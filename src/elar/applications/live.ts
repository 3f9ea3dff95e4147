import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { errors } from '../../platform/errors.ts';
import { lastEventIdOf, type EventBus, type SseStream, type SseStreams } from '../../platform/events/index.ts';
import { elarErrors } from '../errors.ts';
import type { ElarDb } from '../schema.ts';
import { APPLICATION_CHANNEL, type StatusChange } from './notify.ts';
import { lastPersonEventId, personEventsSince } from './repository.ts';
import type { Applicant } from './service.ts';
import type { TransitionName } from './transitions.ts';
import { STARTED_WORDS, STATE_WORDS, TRANSITION_WORDS, whenWords } from './wording.ts';

/** A stream sends at most this many entries at a time; the rest follow at once. */
const BATCH = 100;

/**
 * Streams one person may hold on an instance (a few tabs): without it one account could take
 * every stream the instance serves (`SSE_MAX_CONNECTIONS`), and each of its changes would be
 * read once per stream.
 */
export const STREAMS_PER_PERSON = 5;

export interface LiveStatusOptions {
  db: ElarDb;
  bus: EventBus;
  streams: SseStreams;
  access: RouteShorthandOptions;
  /**
   * The signed-in person and their ELAR session's id, or null. Never a sign-in redirect: the
   * page's script reconnects in the background, and a redirect would set the sign-in cookie
   * over the one of a sign-in in progress in another tab (attack review F10).
   */
  signedIn(request: FastifyRequest): Promise<{ person: Applicant; session: string } | null>;
  /** Which of these sessions are still live (logout, back-channel logout and expiry end them). */
  liveSessions(sessions: readonly string[]): Promise<Set<string>>;
  /** How often open streams' sessions are checked: the heartbeat's period, so a stream outlives its session by at most one. */
  checkMs: number;
}

/**
 * Live status (SPEC E4): `GET /elar/applications/events` is a Server-Sent Events stream of
 * the signed-in person's own timeline entries, each with its timeline id as the event id.
 * A page passes the last entry it shows (`lastEventId`), and a browser reconnecting sends
 * `Last-Event-ID`: the stream first sends whatever came after it, so nothing is missed
 * between the page load, a dropped connection and the next event. Without either, it starts
 * from now. The stream is read from the database on every notice: the notice only says
 * "look", so nobody else's change can reach this person's stream. A stream lives only as
 * long as its session (attack review F9): its session is checked before anything is sent,
 * and every open stream's once a heartbeat.
 */
export function registerLiveStatus(app: FastifyInstance, options: LiveStatusOptions) {
  const { db, bus, streams, access, signedIn, liveSessions, checkMs } = options;
  const held = new Map<string, number>();
  const watched = new Map<SseStream, string>();
  let watch: NodeJS.Timeout | undefined;
  // One query for every open stream of the instance, once a period, however many there are.
  const closeEnded = async () => {
    const sessions = [...new Set(watched.values())];
    if (sessions.length === 0) return;
    try {
      const live = await liveSessions(sessions);
      for (const [stream, session] of watched) if (!live.has(session)) stream.close();
    } catch (err) {
      app.log.warn({ err }, 'live status: checking the streams’ sessions failed');
    }
  };

  // One bus subscription for all of this instance's streams, each notice handed only to its
  // person's streams: handing every notice to every stream cost more CPU than the reads it
  // caused, with 2,000 streams open (docs/benchmarks.md, issue 13).
  const readers = new Map<string, Set<() => void>>();
  // Notices heard so far: a read may be shared only by streams told of the same notice (below).
  let heard = 0;
  let listening: Promise<unknown> | undefined;
  const hear = async (sub: string, read: () => void) => {
    listening ??= bus
      .subscribe(APPLICATION_CHANNEL, {
        event: (payload) => {
          heard++;
          for (const r of readers.get((JSON.parse(payload) as StatusChange).person) ?? []) r();
        },
        gap: () => {
          heard++;
          for (const streamsOfOne of readers.values()) for (const r of streamsOfOne) r();
        },
      })
      .catch((err: unknown) => {
        listening = undefined;
        throw err;
      });
    await listening;
    let mine = readers.get(sub);
    if (!mine) readers.set(sub, (mine = new Set()));
    mine.add(read);
    return () => {
      mine.delete(read);
      if (mine.size === 0 && readers.get(sub) === mine) readers.delete(sub);
    };
  };
  // A person's tabs hear each notice together and would each read the same entries and check
  // the same session: they share one read (and one check) instead. Only a read started after
  // the notice that asks for it is shared (keyed by `heard`), so none returns from before a
  // change it was told of. With 2,000 streams this took a change from eleven queries to three.
  const shared = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let pending = shared.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read().finally(() => shared.delete(key));
      shared.set(key, pending);
    }
    return pending;
  };
  app.get('/applications/events', access, async (request, reply) => {
    const signed = await signedIn(request);
    if (!signed) throw elarErrors.streamSignedOut();
    const { person, session } = signed;
    const asked = lastEventIdOf(request);
    if (asked !== undefined && !/^\d{1,18}$/.test(asked)) throw errors.badRequest();
    let last = asked ?? (await lastPersonEventId(db, person.sub));
    const holding = held.get(person.sub) ?? 0;
    if (holding >= STREAMS_PER_PERSON) throw elarErrors.tooManyStreams();
    const stream = streams.open(request, reply);
    held.set(person.sub, holding + 1);
    watched.set(stream, session);
    watch ??= setInterval(() => void closeEnded(), checkMs).unref();
    stream.onClose(() => {
      watched.delete(stream);
      if (watched.size === 0) {
        clearInterval(watch);
        watch = undefined;
      }
      const left = (held.get(person.sub) ?? 1) - 1;
      if (left > 0) held.set(person.sub, left);
      else held.delete(person.sub);
    });

    // One read at a time per stream, in order: two notices close together never send an entry twice.
    let reading = Promise.resolve();
    const catchUp = () => {
      const notice = heard;
      reading = reading
        .then(async () => {
          for (;;) {
            const after = last;
            const entries = await once(`events ${person.sub} ${after} ${notice}`, () =>
              personEventsSince(db, person.sub, after, BATCH),
            );
            const live =
              entries.length > 0 &&
              (await once(`session ${session} ${notice}`, () => liveSessions([session]))).has(session);
            if (entries.length > 0 && !live) {
              stream.close();
              return;
            }
            for (const e of entries) {
              stream.send({
                id: e.id,
                event: 'status',
                data: JSON.stringify({
                  applicationId: e.application_id,
                  reference: e.reference,
                  state: e.to_state,
                  stateName: STATE_WORDS[e.to_state].name,
                  explanation: STATE_WORDS[e.to_state].explanation,
                  text: e.transition === 'start' ? STARTED_WORDS : TRANSITION_WORDS[e.transition as TransitionName],
                  at: e.at.toISOString(),
                  when: whenWords(e.at),
                }),
              });
              last = e.id;
            }
            if (entries.length < BATCH) return;
          }
        })
        .catch((err: unknown) => {
          // The page is still current on reload; the stream ends and the browser reconnects from `last`.
          request.log.warn({ err }, 'live status: reading the timeline failed');
          stream.close();
        });
    };
    stream.onClose(await hear(person.sub, catchUp));
    // Subscribed first, then read: an entry committed in between is read now or announced after.
    catchUp();
    return reply;
  });
}
