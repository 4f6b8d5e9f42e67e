CREATE TABLE `capacity_evidence` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` integer NOT NULL,
	`stored_name` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`original_name` text DEFAULT '' NOT NULL,
	`uploaded_by` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `capacity_assessments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `capacity_evidence_stored_name_unique` ON `capacity_evidence` (`stored_name`);--> statement-breakpoint
CREATE INDEX `capacity_evidence_assessment` ON `capacity_evidence` (`assessment_id`);--> statement-breakpoint
CREATE TABLE `match_checkins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`match_id` integer NOT NULL,
	`followup_days` integer NOT NULL,
	`outcome` text NOT NULL,
	`continuation` text,
	`reason` text,
	`note` text DEFAULT '' NOT NULL,
	`answered_by` integer NOT NULL,
	`answered_as` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`match_id`) REFERENCES `matches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`answered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "match_checkins_reason" CHECK(("match_checkins"."outcome" = 'ended') = ("match_checkins"."reason" IS NOT NULL)),
	CONSTRAINT "match_checkins_continuation" CHECK(("match_checkins"."outcome" = 'continues') = ("match_checkins"."continuation" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `match_checkins_once` ON `match_checkins` (`match_id`,`followup_days`);--> statement-breakpoint
CREATE TABLE `partnerships` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`holder_org_id` integer NOT NULL,
	`group_org_id` integer NOT NULL,
	`from_match_id` integer,
	`started_by` integer NOT NULL,
	`started_at` text NOT NULL,
	`ended_by` integer,
	`ended_at` text,
	`end_reason` text,
	`end_note` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`holder_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`from_match_id`) REFERENCES `matches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ended_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `partnerships_holder` ON `partnerships` (`holder_org_id`);--> statement-breakpoint
CREATE INDEX `partnerships_group` ON `partnerships` (`group_org_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `partnerships_open` ON `partnerships` (`holder_org_id`,`group_org_id`) WHERE "partnerships"."ended_at" IS NULL;