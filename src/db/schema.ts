import { sql } from 'drizzle-orm'
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

// Timestamps are ISO-8601 UTC strings: readable in the sqlite3 shell, sortable, and exported as they are.
const createdAt = () => text('created_at').notNull()

export const areas = sqliteTable(
  'areas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ref: text('ref').unique(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    level: text('level', { enum: ['district', 'street', 'community'] }).notNull(),
    parentId: integer('parent_id').references((): AnySQLiteColumn => areas.id),
    // Materialised path '/1/4/12/': "a street covers its communities" becomes one indexed LIKE prefix query.
    path: text('path').notNull(),
    lat: real('lat'),
    lng: real('lng'),
  },
  (t) => [index('areas_parent').on(t.parentId), index('areas_path').on(t.path)],
)

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['member', 'broker', 'admin'] })
    .notNull()
    .default('member'),
  phone: text('phone'),
  locale: text('locale'),
  notify: text('notify', { enum: ['instant', 'digest', 'off'] })
    .notNull()
    .default('instant'),
  disabledAt: text('disabled_at'),
  createdAt: createdAt(),
})

export const brokerAreas = sqliteTable(
  'broker_areas',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.areaId] })],
)

export const ORG_KINDS = [
  'community_group',
  'business',
  'street_office',
  'residents_committee',
  'social_work_agency',
  'foundation',
  'school',
  'individual',
] as const
export const TRUST_LEVELS = ['self_declared', 'vouched', 'endorsed'] as const
export const FOCUS_GROUPS = [
  'elderly',
  'children',
  'youth',
  'women',
  'disability',
  'culture',
  'sports',
  'environment',
  'migrants',
  'health',
  'education',
  'community',
] as const

export const organizations = sqliteTable(
  'organizations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ref: text('ref').unique(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ORG_KINDS }).notNull(),
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    registered: integer('registered', { mode: 'boolean' }).notNull().default(false),
    trust: text('trust', { enum: TRUST_LEVELS }).notNull().default('self_declared'),
    focus: text('focus', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    members: integer('members'),
    description: text('description').notNull().default(''),
    // Private: shown only to the parties of an accepted match and their broker.
    contactPhone: text('contact_phone'),
    contactEmail: text('contact_email'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('organizations_area').on(t.areaId),
    // The organization list's order: community groups first, newest first.
    index('organizations_listing').on(sql`(${t.kind} <> 'community_group')`, t.createdAt, t.id),
  ],
)

export const memberships = sqliteTable(
  'memberships',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['leader', 'member'] })
      .notNull()
      .default('leader'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgId] }), index('memberships_org').on(t.orgId)],
)

export const sessions = sqliteTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    data: text('data').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeen: integer('last_seen').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
)

export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull().default(''),
  createdAt: createdAt(),
  revokedAt: text('revoked_at'),
})

// Append-only: triggers in the migration refuse UPDATE and DELETE.
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actorId: integer('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: integer('subject_id'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('events_subject').on(t.subjectType, t.subjectId)],
)

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

export const categories = sqliteTable('categories', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  unit: text('unit').notNull(),
  position: integer('position').notNull().default(0),
})

export const NEED_STATUSES = ['draft', 'open', 'partly_met', 'met', 'closed', 'expired'] as const
export const OFFER_STATUSES = ['draft', 'open', 'closed', 'expired'] as const
export const URGENCIES = ['low', 'normal', 'high'] as const
export const CLOSE_REASONS = [
  'no_longer_needed',
  'met_elsewhere',
  'unresponsive',
  'out_of_scope',
  'duplicate',
  'declined',
  'not_relevant',
] as const

export const needs = sqliteTable(
  'needs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ref: text('ref').unique(),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    category: text('category')
      .notNull()
      .references(() => categories.code),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    quantity: integer('quantity').notNull(),
    unit: text('unit').notNull(),
    // Demand not yet reserved by an accepted match; guarded updates keep it >= 0.
    remaining: integer('remaining').notNull(),
    fromDate: text('from_date'),
    untilDate: text('until_date'),
    schedule: text('schedule'),
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    place: text('place').notNull().default(''),
    urgency: text('urgency', { enum: URGENCIES }).notNull().default('normal'),
    beneficiaries: integer('beneficiaries'),
    expiresAt: text('expires_at'),
    status: text('status', { enum: NEED_STATUSES }).notNull().default('open'),
    closeReason: text('close_reason', { enum: CLOSE_REASONS }),
    // What it is about inside its category (topic codes from the vocabulary, src/matching/topics.ts), as the
    // poster confirmed them or as inferred from its text; null until tagged. keywords: its content words,
    // normalised through the vocabulary's synonyms, for the relevance floor when a side has no topic.
    topics: text('topics', { mode: 'json' }).$type<string[]>(),
    keywords: text('keywords', { mode: 'json' }).$type<string[]>(),
    // The poster (or a ledger) chose the topics: re-tagging after a vocabulary change leaves them alone.
    topicsConfirmed: integer('topics_confirmed', { mode: 'boolean' }).notNull().default(false),
    // A broker entered it for the group (代填): while a draft with this set, it waits for a leader's confirmation.
    enteredBy: integer('entered_by').references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('needs_browse').on(t.status, t.category, t.createdAt),
    // Browse orders and the count of active needs, each served by an index at 100k rows: a page walks its order's
    // index and stops after 20 (no sort); the count reads the active-status index alone (needs.ts, listOn). The
    // order expressions are written as needs.ts's ORDER writes them: SQLite uses an expression index only then.
    index('needs_recent').on(t.createdAt, t.id),
    index('needs_deadline').on(sql`${t.expiresAt} IS NULL`, t.expiresAt, t.id),
    index('needs_urgency').on(
      sql`CASE ${t.urgency} WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END`,
      t.createdAt,
      t.id,
    ),
    index('needs_active').on(t.status, t.expiresAt, t.remaining, t.untilDate, t.urgency),
    index('needs_category_recent').on(t.category, t.createdAt),
    index('needs_category_deadline').on(t.category, sql`${t.expiresAt} IS NULL`, t.expiresAt, t.id),
    index('needs_category_urgency').on(
      t.category,
      sql`CASE ${t.urgency} WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END`,
      t.createdAt,
      t.id,
    ),
    index('needs_org').on(t.orgId),
    // A place's active needs counted from the index alone (the pager's total under an area filter).
    index('needs_area').on(t.areaId, t.status, t.expiresAt, t.remaining, t.untilDate, t.urgency),
    // The matcher's candidates (an offer's page reads a street's needs of its category, ~2.5k at 100k listings)
    // straight from the index, never the rows: every column the matcher reads, none of the text.
    index('needs_candidates').on(
      t.category,
      t.areaId,
      t.status,
      t.expiresAt,
      t.remaining,
      t.orgId,
      t.unit,
      t.fromDate,
      t.untilDate,
      t.schedule,
      t.urgency,
      t.beneficiaries,
      t.createdAt,
    ),
    check('needs_remaining_nonneg', sql`${t.remaining} >= 0`),
    check('needs_remaining_le_quantity', sql`${t.remaining} <= ${t.quantity}`),
    check('needs_quantity_pos', sql`${t.quantity} > 0`),
  ],
)

export const offers = sqliteTable(
  'offers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ref: text('ref').unique(),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    category: text('category')
      .notNull()
      .references(() => categories.code),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    quantity: integer('quantity').notNull(),
    unit: text('unit').notNull(),
    remaining: integer('remaining').notNull(),
    fromDate: text('from_date'),
    untilDate: text('until_date'),
    schedule: text('schedule'),
    servesAreaId: integer('serves_area_id')
      .notNull()
      .references(() => areas.id),
    minTrust: text('min_trust', { enum: TRUST_LEVELS }).notNull().default('self_declared'),
    focus: text('focus', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    expiresAt: text('expires_at'),
    status: text('status', { enum: OFFER_STATUSES }).notNull().default('open'),
    closeReason: text('close_reason', { enum: CLOSE_REASONS }),
    // When it was closed (null unless closed): reports ask whether it was still open in a past period, and
    // updated_at moves on a closed offer too (a cancelled match gives capacity back).
    closedAt: text('closed_at'),
    // What it is about inside its category (topic codes from the vocabulary, src/matching/topics.ts), as the
    // poster confirmed them or as inferred from its text; null until tagged. keywords: its content words,
    // normalised through the vocabulary's synonyms, for the relevance floor when a side has no topic.
    topics: text('topics', { mode: 'json' }).$type<string[]>(),
    keywords: text('keywords', { mode: 'json' }).$type<string[]>(),
    // The poster (or a ledger) chose the topics: re-tagging after a vocabulary change leaves them alone.
    topicsConfirmed: integer('topics_confirmed', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('offers_browse').on(t.status, t.category, t.createdAt),
    // As the needs' browse indexes (offers.ts ORDER).
    index('offers_recent').on(t.createdAt, t.id),
    index('offers_deadline').on(sql`${t.expiresAt} IS NULL`, t.expiresAt, t.id),
    index('offers_capacity').on(t.remaining, t.id),
    index('offers_active').on(t.status, t.expiresAt, t.untilDate, t.remaining),
    index('offers_category_recent').on(t.category, t.createdAt),
    index('offers_category_deadline').on(t.category, sql`${t.expiresAt} IS NULL`, t.expiresAt, t.id),
    index('offers_category_capacity').on(t.category, t.remaining, t.id),
    index('offers_org').on(t.orgId),
    index('offers_area').on(t.servesAreaId, t.status, t.expiresAt, t.untilDate, t.remaining),
    // The matcher's candidates (a need's page reads ~4k offers of its category serving its place) from the index alone.
    index('offers_candidates').on(
      t.category,
      t.servesAreaId,
      t.status,
      t.expiresAt,
      t.remaining,
      t.orgId,
      t.unit,
      t.quantity,
      t.fromDate,
      t.untilDate,
      t.schedule,
      t.minTrust,
      t.focus,
      t.createdAt,
    ),
    check('offers_remaining_nonneg', sql`${t.remaining} >= 0`),
    check('offers_remaining_le_quantity', sql`${t.remaining} <= ${t.quantity}`),
    check('offers_quantity_pos', sql`${t.quantity} > 0`),
  ],
)

export const MATCH_STATES = [
  'proposed',
  'requested',
  'pledged',
  'accepted',
  'delivered',
  'reviewed',
  'declined',
  'withdrawn',
  'cancelled',
] as const

export const matches = sqliteTable(
  'matches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    needId: integer('need_id')
      .notNull()
      .references(() => needs.id),
    offerId: integer('offer_id')
      .notNull()
      .references(() => offers.id),
    quantity: integer('quantity').notNull(),
    deliveredQuantity: integer('delivered_quantity'),
    state: text('state', { enum: MATCH_STATES }).notNull(),
    origin: text('origin', { enum: ['need_side', 'offer_side', 'broker', 'allocation'] }).notNull(),
    proposedBy: integer('proposed_by').references(() => users.id),
    brokerId: integer('broker_id').references(() => users.id),
    score: real('score'),
    reasons: text('reasons', { mode: 'json' }).$type<unknown[]>(),
    reason: text('reason', { enum: CLOSE_REASONS }),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    acceptedAt: text('accepted_at'),
    deliveredAt: text('delivered_at'),
  },
  (t) => [
    index('matches_need').on(t.needId),
    index('matches_offer').on(t.offerId),
    index('matches_state').on(t.state),
    check('matches_quantity_pos', sql`${t.quantity} > 0`),
  ],
)

export const matchEvents = sqliteTable(
  'match_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id')
      .notNull()
      .references(() => matches.id),
    at: text('at').notNull(),
    actorId: integer('actor_id').references(() => users.id),
    event: text('event').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    reason: text('reason'),
    quantity: integer('quantity'),
    // The actor answered for this organization, which has no leader online (a covering broker looking after it).
    onBehalfOf: integer('on_behalf_of').references(() => organizations.id),
  },
  (t) => [index('match_events_match').on(t.matchId)],
)

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id')
      .notNull()
      .references(() => matches.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('messages_match').on(t.matchId)],
)

export const feedback = sqliteTable(
  'feedback',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id')
      .notNull()
      .references(() => matches.id),
    side: text('side', { enum: ['need', 'offer'] }).notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    rating: integer('rating').notNull(),
    comment: text('comment').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('feedback_match_side').on(t.matchId, t.side),
    check('feedback_rating', sql`${t.rating} BETWEEN 1 AND 5`),
  ],
)

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, string | number>>().notNull(),
    link: text('link'),
    createdAt: createdAt(),
    readAt: text('read_at'),
    emailedAt: text('emailed_at'),
  },
  (t) => [index('notifications_user').on(t.userId, t.readAt)],
)

// Mail waiting for SMTP, or kept for admins to read when no SMTP_URL is configured.
export const outbox = sqliteTable('outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  to: text('to_addr').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
  sentAt: text('sent_at'),
  error: text('error'),
})

// Scheduled work lives in the database so it survives a restart; `key` makes each job happen once.
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    kind: text('kind').notNull(),
    runAt: text('run_at').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    doneAt: text('done_at'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('jobs_due').on(t.doneAt, t.runAt)],
)

export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  userId: integer('user_id').notNull(),
  result: text('result').notNull(),
  createdAt: createdAt(),
})

export const loginThrottle = sqliteTable('login_throttle', {
  email: text('email').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureAt: integer('last_failure_at').notNull(),
})

// A broker's allocation proposal, kept so it can be reviewed (rows removed) before any match is proposed.
export const allocationRuns = sqliteTable(
  'allocation_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brokerId: integer('broker_id')
      .notNull()
      .references(() => users.id),
    params: text('params', { mode: 'json' }).$type<{ areaIds: number[]; category: string | null }>().notNull(),
    result: text('result', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: createdAt(),
    appliedAt: text('applied_at'),
  },
  (t) => [index('allocation_runs_broker').on(t.brokerId)],
)

// Password reset: only a hash of the secret is kept, it lives an hour, and it is deleted when used.
export const passwordResets = sqliteTable(
  'password_resets',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('password_resets_user').on(t.userId)],
)

// A sign-up waiting for its address to be confirmed: the account exists only once the mailbox's owner opens the
// link and gives the password chosen here, so the sign-up form never has to say whether an address is taken.
export const signups = sqliteTable(
  'signups',
  {
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    locale: text('locale'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('signups_email').on(t.email)],
)

// Capacity assessments (能力评估): a broker, with the organization's leader, scores its four capacities on dated
// occasions; comparing two shows growth. An internal development record: never on a public page.
export const capacityAssessments = sqliteTable(
  'capacity_assessments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    assessorId: integer('assessor_id')
      .notNull()
      .references(() => users.id),
    assessedOn: text('assessed_on').notNull(),
    withLeader: integer('with_leader', { mode: 'boolean' }).notNull().default(false),
    participants: text('participants').notNull().default(''),
    note: text('note').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('capacity_assessments_org').on(t.orgId, t.assessedOn)],
)

export const capacityScores = sqliteTable(
  'capacity_scores',
  {
    assessmentId: integer('assessment_id')
      .notNull()
      .references(() => capacityAssessments.id, { onDelete: 'cascade' }),
    indicator: text('indicator').notNull(),
    score: integer('score').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.assessmentId, t.indicator] }),
    check('capacity_scores_range', sql`${t.score} BETWEEN 1 AND 5`),
  ],
)

// The topic vocabulary ships as data (src/matching/vocabulary.ts); admins extend it here: a new topic of a
// category, or a synonym of an existing one. Append-only in spirit: every addition is logged in events.
export const topicTerms = sqliteTable(
  'topic_terms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    category: text('category')
      .notNull()
      .references(() => categories.code),
    topic: text('topic').notNull(),
    // 'topic': a new topic whose names are zh/en; 'synonym': another word for an existing topic.
    kind: text('kind', { enum: ['topic', 'synonym'] }).notNull(),
    lang: text('lang', { enum: ['zh', 'en'] }).notNull(),
    term: text('term').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('topic_terms_unique').on(t.category, t.topic, t.lang, t.term)],
)

// "Not relevant" said by people: a leader declining a suggestion, a broker unticking an allocation row. The
// broker's precision page reads it per category and topic: the matcher's precision measured on real use.
export const fitFeedback = sqliteTable(
  'fit_feedback',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    needId: integer('need_id')
      .notNull()
      .references(() => needs.id),
    offerId: integer('offer_id')
      .notNull()
      .references(() => offers.id),
    category: text('category').notNull(),
    topics: text('topics', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    source: text('source', { enum: ['decline', 'allocation'] }).notNull(),
    reason: text('reason', { enum: ['not_relevant'] }).notNull(),
    userId: integer('user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('fit_feedback_category').on(t.category, t.createdAt)],
)

// Invitations into a group: only a hash of the single-use secret is kept; bound to one group and one role.
export const invitations = sqliteTable(
  'invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull().unique(),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['leader', 'member'] }).notNull(),
    // Sent to this address (through the outbox); null: a link shown to the inviter to copy.
    email: text('email'),
    invitedBy: integer('invited_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    usedBy: integer('used_by').references(() => users.id),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('invitations_org').on(t.orgId)],
)

// A person asks to join a group from its page; a leader approves (as a member) or declines.
export const joinRequests = sqliteTable(
  'join_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    message: text('message').notNull().default(''),
    createdAt: createdAt(),
    decidedAt: text('decided_at'),
    decidedBy: integer('decided_by').references(() => users.id),
    decision: text('decision', { enum: ['approved', 'declined'] }),
  },
  (t) => [
    index('join_requests_org').on(t.orgId, t.decidedAt),
    // One open request per person and group: asking twice does not queue twice.
    uniqueIndex('join_requests_open')
      .on(t.orgId, t.userId)
      .where(sql`${t.decidedAt} IS NULL`),
  ],
)

// A capacity-building project (能力建设项目): a street's or community's cohort of groups over a period, paid for by a
// funder; its page compares the cohort's baseline with its endline (src/capacity/cohort.ts).
export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    funder: text('funder').notNull().default(''),
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    startsOn: text('starts_on').notNull(),
    endsOn: text('ends_on').notNull(),
    description: text('description').notNull().default(''),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('projects_area').on(t.areaId), check('projects_period', sql`${t.startsOn} <= ${t.endsOn}`)],
)

export const projectGroups = sqliteTable(
  'project_groups',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    joinedOn: text('joined_on').notNull(),
    // Left the project: the group stays listed, apart, and counts in no figure.
    leftOn: text('left_on'),
    // The group's leader agreed that the street office may see its own scores (not just the cohort's means).
    consentAt: text('consent_at'),
    consentBy: integer('consent_by').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.orgId] }), index('project_groups_org').on(t.orgId)],
)

// "New fit" alerts sent (src/alerts/): one row per need × offer pair whose leaders were told it fits, so a pair
// is announced once ever, whichever side changed and however often. `side` is who was told.
export const fitAlerts = sqliteTable(
  'fit_alerts',
  {
    needId: integer('need_id')
      .notNull()
      .references(() => needs.id, { onDelete: 'cascade' }),
    offerId: integer('offer_id')
      .notNull()
      .references(() => offers.id, { onDelete: 'cascade' }),
    side: text('side', { enum: ['need', 'offer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.needId, t.offerId] })],
)

// Evidence attached to a capacity assessment (photos, scanned sign-in sheets, PDFs): the file lives on disk in the
// evidence folder under `stored_name`, a generated name; the uploader's file name is only shown, never a path.
export const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const
export const capacityEvidence = sqliteTable(
  'capacity_evidence',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    assessmentId: integer('assessment_id')
      .notNull()
      .references(() => capacityAssessments.id, { onDelete: 'cascade' }),
    storedName: text('stored_name').notNull().unique(),
    contentType: text('content_type', { enum: EVIDENCE_TYPES }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    originalName: text('original_name').notNull().default(''),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('capacity_evidence_assessment').on(t.assessmentId)],
)

// A standing partnership: a holder (the offer's organization) and a group (the need's) that keep working together,
// begun by a check-in answered "continues as a partnership" or by a broker, ended by either side or the broker.
export const PARTNERSHIP_END_REASONS = ['need_gone', 'holder_unwilling', 'poor_fit', 'group_stopped', 'other'] as const
export const partnerships = sqliteTable(
  'partnerships',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    holderOrgId: integer('holder_org_id')
      .notNull()
      .references(() => organizations.id),
    groupOrgId: integer('group_org_id')
      .notNull()
      .references(() => organizations.id),
    fromMatchId: integer('from_match_id').references(() => matches.id),
    startedBy: integer('started_by')
      .notNull()
      .references(() => users.id),
    startedAt: text('started_at').notNull(),
    endedBy: integer('ended_by').references(() => users.id),
    endedAt: text('ended_at'),
    endReason: text('end_reason', { enum: PARTNERSHIP_END_REASONS }),
    endNote: text('end_note').notNull().default(''),
  },
  (t) => [
    index('partnerships_holder').on(t.holderOrgId),
    index('partnerships_group').on(t.groupOrgId),
    // One standing partnership per pair at a time; an ended one stays as history.
    uniqueIndex('partnerships_open')
      .on(t.holderOrgId, t.groupOrgId)
      .where(sql`${t.endedAt} IS NULL`),
  ],
)

// The answer to a match's 30- or 90-day follow-up, once per follow-up: the arrangement continues (as it was, repeated
// for the next period, or as a standing partnership), changed (a note says how), or ended for a reason.
export const CHECKIN_OUTCOMES = ['continues', 'changed', 'ended'] as const
export const CHECKIN_CONTINUATIONS = ['as_is', 'repeat', 'partnership'] as const
export const CHECKIN_REASONS = ['need_gone', 'holder_unwilling', 'poor_fit', 'group_stopped'] as const
export const matchCheckins = sqliteTable(
  'match_checkins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    matchId: integer('match_id')
      .notNull()
      .references(() => matches.id),
    followupDays: integer('followup_days').notNull(),
    outcome: text('outcome', { enum: CHECKIN_OUTCOMES }).notNull(),
    continuation: text('continuation', { enum: CHECKIN_CONTINUATIONS }),
    reason: text('reason', { enum: CHECKIN_REASONS }),
    note: text('note').notNull().default(''),
    answeredBy: integer('answered_by')
      .notNull()
      .references(() => users.id),
    answeredAs: text('answered_as', { enum: ['need', 'offer', 'broker'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('match_checkins_once').on(t.matchId, t.followupDays),
    check('match_checkins_reason', sql`(${t.outcome} = 'ended') = (${t.reason} IS NOT NULL)`),
    check('match_checkins_continuation', sql`(${t.outcome} = 'continues') = (${t.continuation} IS NOT NULL)`),
  ],
)
// Cultivation tasks (培育任务): what a social worker does about an unmet need, an idle offer, a community's gap or a
// capacity indicator scored low — recruit a holder, train members, adjust a need, connect to a fund, or anything else.
export const TASK_KINDS = ['recruit_holder', 'train_members', 'adjust_need', 'connect_fund', 'other'] as const
export const TASK_STATUSES = ['open', 'in_progress', 'done', 'dropped'] as const
export const TASK_DROP_REASONS = ['not_needed', 'no_holder', 'group_declined', 'duplicate', 'other'] as const
export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: TASK_KINDS }).notNull(),
    title: text('title').notNull(),
    // Where the work is: whoever covers this area may see and act on the task.
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    // What it came from, when it came from something: a group, one of its needs, an offer, a category, an indicator.
    orgId: integer('org_id').references(() => organizations.id),
    needId: integer('need_id').references(() => needs.id),
    offerId: integer('offer_id').references(() => offers.id),
    category: text('category'),
    indicator: text('indicator'),
    ownerId: integer('owner_id')
      .notNull()
      .references(() => users.id),
    dueOn: text('due_on').notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('open'),
    dropReason: text('drop_reason', { enum: TASK_DROP_REASONS }),
    outcome: text('outcome').notNull().default(''),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    closedAt: text('closed_at'),
  },
  (t) => [
    index('tasks_owner').on(t.ownerId, t.status),
    index('tasks_area').on(t.areaId, t.status),
    index('tasks_org').on(t.orgId),
  ],
)

export const taskNotes = sqliteTable(
  'task_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('task_notes_task').on(t.taskId)],
)

// The asset inventory (ABCD 资产清单): people, associations and institutions of a broker's communities that could
// give, on the platform or not. Private to the brokers covering the area and admins: it holds contacts.
export const PROSPECT_KINDS = ['person', 'association', 'institution', 'business'] as const
export const PROSPECT_OUTCOMES = ['not_contacted', 'interested', 'not_now', 'declined', 'became_holder'] as const
export const prospects = sqliteTable(
  'prospects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: PROSPECT_KINDS }).notNull(),
    // What they could give, in their words; the category says which kind of asset it is.
    has: text('has').notNull().default(''),
    category: text('category').references(() => categories.code),
    place: text('place').notNull().default(''),
    contact: text('contact').notNull().default(''),
    lastContactedOn: text('last_contacted_on'),
    outcome: text('outcome', { enum: PROSPECT_OUTCOMES }).notNull().default('not_contacted'),
    // Once they post on the platform: the organization they post as.
    orgId: integer('org_id').references(() => organizations.id),
    notes: text('notes').notNull().default(''),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('prospects_area').on(t.areaId, t.category)],
)

// An invitation to give (邀请提供资源): a link a broker sends or prints for a prospect of the inventory; it opens a
// pre-filled offer form, and posting that offer makes the prospect a holder and closes the task that asked for it.
// Only a hash of the secret is kept.
export const giveInvitations = sqliteTable(
  'give_invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    prospectId: integer('prospect_id')
      .notNull()
      .references(() => prospects.id, { onDelete: 'cascade' }),
    taskId: integer('task_id').references(() => tasks.id),
    tokenHash: text('token_hash').notNull().unique(),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    usedBy: integer('used_by').references(() => users.id),
    offerId: integer('offer_id').references(() => offers.id),
  },
  (t) => [index('give_invitations_prospect').on(t.prospectId)],
)

// Community funds (社区基金 / 微创投, src/funds/): a holder opens a call with a budget; groups apply with a plan and
// budget lines; a panel scores them; a person confirms a decision within the budget; awards are announced (公示) and
// paid in tranches against milestones until close-out (结项). Money is integer fen everywhere.
export const CALL_PREFERENCES = ['none', 'first_time', 'unregistered', 'first_time_or_unregistered'] as const
export const CALL_CONFLICT_RULES = ['member', 'member_or_partner'] as const
export const fundCalls = sqliteTable(
  'fund_calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ref: text('ref').unique(),
    // The organization whose money it is (street office, foundation, community charity fund); brokers covering its
    // area may run the call for it.
    holderOrgId: integer('holder_org_id')
      .notNull()
      .references(() => organizations.id),
    // Who may apply: groups whose area lies within this area (materialised path prefix).
    areaId: integer('area_id')
      .notNull()
      .references(() => areas.id),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    budgetFen: integer('budget_fen').notNull(),
    capFen: integer('cap_fen').notNull(),
    // Partial awards are allowed down to this amount when set; null: an application gets all it asks or nothing.
    minAwardFen: integer('min_award_fen'),
    // A stated rule, not a score: `reserve_fen` of the budget can only go to the preferred groups while any of them
    // can still be funded (see src/funds/decide.ts for the exact problem).
    preference: text('preference', { enum: CALL_PREFERENCES }).notNull().default('none'),
    reserveFen: integer('reserve_fen').notNull().default(0),
    minTrust: text('min_trust', { enum: TRUST_LEVELS }).notNull().default('self_declared'),
    kinds: text('kinds', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'["community_group"]'`),
    focus: text('focus', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    conflictRule: text('conflict_rule', { enum: CALL_CONFLICT_RULES }).notNull().default('member'),
    // The budget-line template applicants start from (item names, in the call's language).
    budgetTemplate: text('budget_template', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    applicationsClose: text('applications_close').notNull(),
    reviewClose: text('review_close').notNull(),
    // null until the call is published (a draft is seen only by its holder and brokers).
    publishedAt: text('published_at'),
    // Objections to the announced awards are taken until this moment (set when the notice is published).
    announcedAt: text('announced_at'),
    objectionsUntil: text('objections_until'),
    closedAt: text('closed_at'),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('fund_calls_holder').on(t.holderOrgId),
    index('fund_calls_area').on(t.areaId),
    check('fund_calls_budget', sql`${t.budgetFen} > 0 AND ${t.capFen} > 0 AND ${t.capFen} <= ${t.budgetFen}`),
    check(
      'fund_calls_min_award',
      sql`${t.minAwardFen} IS NULL OR (${t.minAwardFen} > 0 AND ${t.minAwardFen} <= ${t.capFen})`,
    ),
    check(
      'fund_calls_reserve',
      sql`${t.reserveFen} >= 0 AND ${t.reserveFen} <= ${t.budgetFen} AND (${t.preference} <> 'none' OR ${t.reserveFen} = 0)`,
    ),
    check('fund_calls_dates', sql`${t.applicationsClose} <= ${t.reviewClose}`),
  ],
)

// A call's scoring criteria: weights are whole percentages summing to 100 (checked in code), each scored 1–5.
export const fundCriteria = sqliteTable(
  'fund_criteria',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: integer('call_id')
      .notNull()
      .references(() => fundCalls.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    // What a 1, a 3 and a 5 look like, for reviewers.
    guide: text('guide').notNull().default(''),
    weight: integer('weight').notNull(),
  },
  (t) => [
    uniqueIndex('fund_criteria_position').on(t.callId, t.position),
    check('fund_criteria_weight', sql`${t.weight} > 0 AND ${t.weight} <= 100`),
  ],
)

// The named reviewers of a call's panel; residents' representatives are marked so the panel's make-up shows.
export const fundReviewers = sqliteTable(
  'fund_reviewers',
  {
    callId: integer('call_id')
      .notNull()
      .references(() => fundCalls.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    resident: integer('resident', { mode: 'boolean' }).notNull().default(false),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callId, t.userId] }), index('fund_reviewers_user').on(t.userId)],
)

export const APPLICATION_STATUSES = ['draft', 'submitted', 'withdrawn'] as const
export const fundApplications = sqliteTable(
  'fund_applications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: integer('call_id')
      .notNull()
      .references(() => fundCalls.id),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    title: text('title').notNull(),
    // The activity, and the residents it serves (who, how many).
    activity: text('activity').notNull().default(''),
    beneficiaries: text('beneficiaries').notNull().default(''),
    residentsPlanned: integer('residents_planned'),
    // Sums of the budget lines, kept with them in one transaction.
    askedFen: integer('asked_fen').notNull().default(0),
    ownFen: integer('own_fen').notNull().default(0),
    status: text('status', { enum: APPLICATION_STATUSES }).notNull().default('draft'),
    submittedAt: text('submitted_at'),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('fund_applications_call').on(t.callId, t.status),
    index('fund_applications_org').on(t.orgId),
    check('fund_applications_money', sql`${t.askedFen} >= 0 AND ${t.ownFen} >= 0`),
  ],
)

export const fundBudgetLines = sqliteTable(
  'fund_budget_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id')
      .notNull()
      .references(() => fundApplications.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    item: text('item').notNull(),
    askedFen: integer('asked_fen').notNull().default(0),
    ownFen: integer('own_fen').notNull().default(0),
  },
  (t) => [
    uniqueIndex('fund_budget_lines_position').on(t.applicationId, t.position),
    check('fund_budget_lines_money', sql`${t.askedFen} >= 0 AND ${t.ownFen} >= 0`),
  ],
)

// Other assets the plan will use (a venue, volunteers, a training), attached from the matcher's suggestions.
export const fundApplicationOffers = sqliteTable(
  'fund_application_offers',
  {
    applicationId: integer('application_id')
      .notNull()
      .references(() => fundApplications.id, { onDelete: 'cascade' }),
    offerId: integer('offer_id')
      .notNull()
      .references(() => offers.id),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.offerId] })],
)

// Planned milestones; once awarded, each carries the tranche released when its report is approved (share_pct of
// the award; the shares of an application sum to 100, the last tranche takes the rounding remainder).
export const fundMilestones = sqliteTable(
  'fund_milestones',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id')
      .notNull()
      .references(() => fundApplications.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    dueOn: text('due_on').notNull(),
    sharePct: integer('share_pct').notNull(),
  },
  (t) => [
    uniqueIndex('fund_milestones_position').on(t.applicationId, t.position),
    check('fund_milestones_share', sql`${t.sharePct} >= 0 AND ${t.sharePct} <= 100`),
  ],
)

// One reviewer's submitted review of one application: scored (one fund_scores row per criterion) or recused.
// Append-only (triggers in the migration): a submitted review is never changed.
export const fundReviews = sqliteTable(
  'fund_reviews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id')
      .notNull()
      .references(() => fundApplications.id),
    reviewerId: integer('reviewer_id')
      .notNull()
      .references(() => users.id),
    recused: integer('recused', { mode: 'boolean' }).notNull().default(false),
    // Why the reviewer stepped aside: 'member' (belongs to the group), 'partner' (rule member_or_partner), 'declared'.
    recuseReason: text('recuse_reason'),
    note: text('note').notNull().default(''),
    submittedAt: text('submitted_at').notNull(),
  },
  (t) => [
    uniqueIndex('fund_reviews_once').on(t.applicationId, t.reviewerId),
    check('fund_reviews_recused', sql`(${t.recused} = 1) = (${t.recuseReason} IS NOT NULL)`),
  ],
)

export const fundScores = sqliteTable(
  'fund_scores',
  {
    reviewId: integer('review_id')
      .notNull()
      .references(() => fundReviews.id),
    criterionId: integer('criterion_id')
      .notNull()
      .references(() => fundCriteria.id),
    score: integer('score').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reviewId, t.criterionId] }),
    check('fund_scores_scale', sql`${t.score} BETWEEN 1 AND 5`),
  ],
)

// The confirmed decision (one per call, append-only): the problem as stated at the time and the outcome the
// optimiser proposed and a person confirmed, with each application not awarded and why.
export const fundDecisions = sqliteTable('fund_decisions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  callId: integer('call_id')
    .notNull()
    .unique()
    .references(() => fundCalls.id),
  problem: text('problem', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  notAwarded: text('not_awarded', { mode: 'json' })
    .$type<{ application: number; reason: string; detail?: Record<string, unknown> }[]>()
    .notNull(),
  totalFen: integer('total_fen').notNull(),
  decidedBy: integer('decided_by')
    .notNull()
    .references(() => users.id),
  decidedAt: text('decided_at').notNull(),
})

// Awards: never above the call's cap, never more than its budget in all (triggers in the migration), one per group.
export const fundAwards = sqliteTable(
  'fund_awards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    decisionId: integer('decision_id')
      .notNull()
      .references(() => fundDecisions.id),
    callId: integer('call_id')
      .notNull()
      .references(() => fundCalls.id),
    applicationId: integer('application_id')
      .notNull()
      .unique()
      .references(() => fundApplications.id),
    orgId: integer('org_id')
      .notNull()
      .references(() => organizations.id),
    amountFen: integer('amount_fen').notNull(),
    score: real('score').notNull(),
  },
  (t) => [
    uniqueIndex('fund_awards_group').on(t.callId, t.orgId),
    check('fund_awards_positive', sql`${t.amountFen} > 0`),
  ],
)

// Objections during the notice period (公示): anyone may raise one; the holder or broker answers it once.
export const fundObjections = sqliteTable(
  'fund_objections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: integer('call_id')
      .notNull()
      .references(() => fundCalls.id),
    applicationId: integer('application_id').references(() => fundApplications.id),
    name: text('name').notNull(),
    // Private: seen by the call's holder and brokers only.
    contact: text('contact').notNull().default(''),
    body: text('body').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
    answer: text('answer'),
    answeredBy: integer('answered_by').references(() => users.id),
    answeredAt: text('answered_at'),
  },
  (t) => [index('fund_objections_call').on(t.callId)],
)

// A milestone report, or the close-out (结项) report when milestone_id is null: what was done, residents reached,
// spending per budget line, evidence files; the holder approves it or asks for more (a new report then follows).
export const FUND_REPORT_STATES = ['submitted', 'approved', 'more_asked'] as const
export const fundReports = sqliteTable(
  'fund_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    awardId: integer('award_id')
      .notNull()
      .references(() => fundAwards.id),
    milestoneId: integer('milestone_id').references(() => fundMilestones.id),
    done: text('done').notNull(),
    residentsReached: integer('residents_reached').notNull().default(0),
    // [{ line: fund_budget_lines.id, spentFen }]
    spending: text('spending', { mode: 'json' })
      .$type<{ line: number; spentFen: number }[]>()
      .notNull()
      .default(sql`'[]'`),
    // Close-out only: money not spent and given back.
    returnedFen: integer('returned_fen').notNull().default(0),
    state: text('state', { enum: FUND_REPORT_STATES }).notNull().default('submitted'),
    reviewNote: text('review_note').notNull().default(''),
    submittedBy: integer('submitted_by')
      .notNull()
      .references(() => users.id),
    submittedAt: text('submitted_at').notNull(),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: text('decided_at'),
  },
  (t) => [index('fund_reports_award').on(t.awardId), check('fund_reports_returned', sql`${t.returnedFen} >= 0`)],
)

export const fundReportFiles = sqliteTable(
  'fund_report_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reportId: integer('report_id')
      .notNull()
      .references(() => fundReports.id, { onDelete: 'cascade' }),
    storedName: text('stored_name').notNull().unique(),
    contentType: text('content_type', { enum: EVIDENCE_TYPES }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    originalName: text('original_name').notNull().default(''),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('fund_report_files_report').on(t.reportId)],
)

// Money paid out (append-only): a tranche when a milestone report is approved. Never more than the award in all.
export const fundReleases = sqliteTable(
  'fund_releases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    awardId: integer('award_id')
      .notNull()
      .references(() => fundAwards.id),
    milestoneId: integer('milestone_id').references(() => fundMilestones.id),
    reportId: integer('report_id').references(() => fundReports.id),
    amountFen: integer('amount_fen').notNull(),
    releasedBy: integer('released_by')
      .notNull()
      .references(() => users.id),
    releasedAt: text('released_at').notNull(),
  },
  (t) => [
    index('fund_releases_award').on(t.awardId),
    uniqueIndex('fund_releases_milestone').on(t.awardId, t.milestoneId),
    check('fund_releases_positive', sql`${t.amountFen} > 0`),
  ],
)
