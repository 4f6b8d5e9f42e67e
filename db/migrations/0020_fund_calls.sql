CREATE TABLE `fund_application_offers` (
	`application_id` integer NOT NULL,
	`offer_id` integer NOT NULL,
	PRIMARY KEY(`application_id`, `offer_id`),
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `fund_applications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`org_id` integer NOT NULL,
	`title` text NOT NULL,
	`activity` text DEFAULT '' NOT NULL,
	`beneficiaries` text DEFAULT '' NOT NULL,
	`residents_planned` integer,
	`asked_fen` integer DEFAULT 0 NOT NULL,
	`own_fen` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`submitted_at` text,
	`created_by` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_applications_money" CHECK("fund_applications"."asked_fen" >= 0 AND "fund_applications"."own_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX `fund_applications_call` ON `fund_applications` (`call_id`,`status`);--> statement-breakpoint
CREATE INDEX `fund_applications_org` ON `fund_applications` (`org_id`);--> statement-breakpoint
CREATE TABLE `fund_awards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`decision_id` integer NOT NULL,
	`call_id` integer NOT NULL,
	`application_id` integer NOT NULL,
	`org_id` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`score` real NOT NULL,
	FOREIGN KEY (`decision_id`) REFERENCES `fund_decisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_awards_positive" CHECK("fund_awards"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_awards_application_id_unique` ON `fund_awards` (`application_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `fund_awards_group` ON `fund_awards` (`call_id`,`org_id`);--> statement-breakpoint
CREATE TABLE `fund_budget_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`position` integer NOT NULL,
	`item` text NOT NULL,
	`asked_fen` integer DEFAULT 0 NOT NULL,
	`own_fen` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "fund_budget_lines_money" CHECK("fund_budget_lines"."asked_fen" >= 0 AND "fund_budget_lines"."own_fen" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_budget_lines_position` ON `fund_budget_lines` (`application_id`,`position`);--> statement-breakpoint
CREATE TABLE `fund_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ref` text,
	`holder_org_id` integer NOT NULL,
	`area_id` integer NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`budget_fen` integer NOT NULL,
	`cap_fen` integer NOT NULL,
	`min_award_fen` integer,
	`preference` text DEFAULT 'none' NOT NULL,
	`reserve_fen` integer DEFAULT 0 NOT NULL,
	`min_trust` text DEFAULT 'self_declared' NOT NULL,
	`kinds` text DEFAULT '["community_group"]' NOT NULL,
	`focus` text DEFAULT '[]' NOT NULL,
	`conflict_rule` text DEFAULT 'member' NOT NULL,
	`budget_template` text DEFAULT '[]' NOT NULL,
	`applications_close` text NOT NULL,
	`review_close` text NOT NULL,
	`published_at` text,
	`announced_at` text,
	`objections_until` text,
	`closed_at` text,
	`created_by` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`holder_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_calls_budget" CHECK("fund_calls"."budget_fen" > 0 AND "fund_calls"."cap_fen" > 0 AND "fund_calls"."cap_fen" <= "fund_calls"."budget_fen"),
	CONSTRAINT "fund_calls_min_award" CHECK("fund_calls"."min_award_fen" IS NULL OR ("fund_calls"."min_award_fen" > 0 AND "fund_calls"."min_award_fen" <= "fund_calls"."cap_fen")),
	CONSTRAINT "fund_calls_reserve" CHECK("fund_calls"."reserve_fen" >= 0 AND "fund_calls"."reserve_fen" <= "fund_calls"."budget_fen" AND ("fund_calls"."preference" <> 'none' OR "fund_calls"."reserve_fen" = 0)),
	CONSTRAINT "fund_calls_dates" CHECK("fund_calls"."applications_close" <= "fund_calls"."review_close")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_calls_ref_unique` ON `fund_calls` (`ref`);--> statement-breakpoint
CREATE INDEX `fund_calls_holder` ON `fund_calls` (`holder_org_id`);--> statement-breakpoint
CREATE INDEX `fund_calls_area` ON `fund_calls` (`area_id`);--> statement-breakpoint
CREATE TABLE `fund_criteria` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`guide` text DEFAULT '' NOT NULL,
	`weight` integer NOT NULL,
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "fund_criteria_weight" CHECK("fund_criteria"."weight" > 0 AND "fund_criteria"."weight" <= 100)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_criteria_position` ON `fund_criteria` (`call_id`,`position`);--> statement-breakpoint
CREATE TABLE `fund_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`problem` text NOT NULL,
	`not_awarded` text NOT NULL,
	`total_fen` integer NOT NULL,
	`decided_by` integer NOT NULL,
	`decided_at` text NOT NULL,
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_decisions_call_id_unique` ON `fund_decisions` (`call_id`);--> statement-breakpoint
CREATE TABLE `fund_milestones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`due_on` text NOT NULL,
	`share_pct` integer NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "fund_milestones_share" CHECK("fund_milestones"."share_pct" >= 0 AND "fund_milestones"."share_pct" <= 100)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_milestones_position` ON `fund_milestones` (`application_id`,`position`);--> statement-breakpoint
CREATE TABLE `fund_objections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`application_id` integer,
	`name` text NOT NULL,
	`contact` text DEFAULT '' NOT NULL,
	`body` text NOT NULL,
	`created_by` integer,
	`created_at` text NOT NULL,
	`answer` text,
	`answered_by` integer,
	`answered_at` text,
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`answered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fund_objections_call` ON `fund_objections` (`call_id`);--> statement-breakpoint
CREATE TABLE `fund_releases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`award_id` integer NOT NULL,
	`milestone_id` integer,
	`report_id` integer,
	`amount_fen` integer NOT NULL,
	`released_by` integer NOT NULL,
	`released_at` text NOT NULL,
	FOREIGN KEY (`award_id`) REFERENCES `fund_awards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`milestone_id`) REFERENCES `fund_milestones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `fund_reports`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`released_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_releases_positive" CHECK("fund_releases"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE INDEX `fund_releases_award` ON `fund_releases` (`award_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `fund_releases_milestone` ON `fund_releases` (`award_id`,`milestone_id`);--> statement-breakpoint
CREATE TABLE `fund_report_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`report_id` integer NOT NULL,
	`stored_name` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`original_name` text DEFAULT '' NOT NULL,
	`uploaded_by` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`report_id`) REFERENCES `fund_reports`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_report_files_stored_name_unique` ON `fund_report_files` (`stored_name`);--> statement-breakpoint
CREATE INDEX `fund_report_files_report` ON `fund_report_files` (`report_id`);--> statement-breakpoint
CREATE TABLE `fund_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`award_id` integer NOT NULL,
	`milestone_id` integer,
	`done` text NOT NULL,
	`residents_reached` integer DEFAULT 0 NOT NULL,
	`spending` text DEFAULT '[]' NOT NULL,
	`returned_fen` integer DEFAULT 0 NOT NULL,
	`state` text DEFAULT 'submitted' NOT NULL,
	`review_note` text DEFAULT '' NOT NULL,
	`submitted_by` integer NOT NULL,
	`submitted_at` text NOT NULL,
	`decided_by` integer,
	`decided_at` text,
	FOREIGN KEY (`award_id`) REFERENCES `fund_awards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`milestone_id`) REFERENCES `fund_milestones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_reports_returned" CHECK("fund_reports"."returned_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX `fund_reports_award` ON `fund_reports` (`award_id`);--> statement-breakpoint
CREATE TABLE `fund_reviewers` (
	`call_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`resident` integer DEFAULT false NOT NULL,
	`added_at` text NOT NULL,
	PRIMARY KEY(`call_id`, `user_id`),
	FOREIGN KEY (`call_id`) REFERENCES `fund_calls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fund_reviewers_user` ON `fund_reviewers` (`user_id`);--> statement-breakpoint
CREATE TABLE `fund_reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`reviewer_id` integer NOT NULL,
	`recused` integer DEFAULT false NOT NULL,
	`recuse_reason` text,
	`note` text DEFAULT '' NOT NULL,
	`submitted_at` text NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `fund_applications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_reviews_recused" CHECK(("fund_reviews"."recused" = 1) = ("fund_reviews"."recuse_reason" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fund_reviews_once` ON `fund_reviews` (`application_id`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `fund_scores` (
	`review_id` integer NOT NULL,
	`criterion_id` integer NOT NULL,
	`score` integer NOT NULL,
	PRIMARY KEY(`review_id`, `criterion_id`),
	FOREIGN KEY (`review_id`) REFERENCES `fund_reviews`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`criterion_id`) REFERENCES `fund_criteria`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "fund_scores_scale" CHECK("fund_scores"."score" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TRIGGER fund_reviews_no_update BEFORE UPDATE ON fund_reviews BEGIN SELECT RAISE(ABORT, 'fund reviews are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_reviews_no_delete BEFORE DELETE ON fund_reviews BEGIN SELECT RAISE(ABORT, 'fund reviews are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_scores_no_update BEFORE UPDATE ON fund_scores BEGIN SELECT RAISE(ABORT, 'fund scores are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_scores_no_delete BEFORE DELETE ON fund_scores BEGIN SELECT RAISE(ABORT, 'fund scores are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_decisions_no_update BEFORE UPDATE ON fund_decisions BEGIN SELECT RAISE(ABORT, 'fund decisions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_decisions_no_delete BEFORE DELETE ON fund_decisions BEGIN SELECT RAISE(ABORT, 'fund decisions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_awards_no_update BEFORE UPDATE ON fund_awards BEGIN SELECT RAISE(ABORT, 'fund awards are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_awards_no_delete BEFORE DELETE ON fund_awards BEGIN SELECT RAISE(ABORT, 'fund awards are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_awards_within_call BEFORE INSERT ON fund_awards
WHEN NEW.amount_fen > (SELECT cap_fen FROM fund_calls WHERE id = NEW.call_id)
  OR NEW.amount_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM fund_awards WHERE call_id = NEW.call_id) > (SELECT budget_fen FROM fund_calls WHERE id = NEW.call_id)
BEGIN SELECT RAISE(ABORT, 'an award may not exceed the call''s cap or budget'); END;
--> statement-breakpoint
CREATE TRIGGER fund_calls_money_fixed BEFORE UPDATE OF budget_fen, cap_fen, min_award_fen, reserve_fen, preference ON fund_calls
WHEN EXISTS (SELECT 1 FROM fund_decisions WHERE call_id = NEW.id)
  AND (NEW.budget_fen <> OLD.budget_fen OR NEW.cap_fen <> OLD.cap_fen OR NEW.reserve_fen <> OLD.reserve_fen OR NEW.preference <> OLD.preference
    OR COALESCE(NEW.min_award_fen, -1) <> COALESCE(OLD.min_award_fen, -1))
BEGIN SELECT RAISE(ABORT, 'a decided call''s money rules are fixed'); END;
--> statement-breakpoint
CREATE TRIGGER fund_releases_no_update BEFORE UPDATE ON fund_releases BEGIN SELECT RAISE(ABORT, 'fund releases are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_releases_no_delete BEFORE DELETE ON fund_releases BEGIN SELECT RAISE(ABORT, 'fund releases are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_releases_within_award BEFORE INSERT ON fund_releases
WHEN NEW.amount_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM fund_releases WHERE award_id = NEW.award_id) > (SELECT amount_fen FROM fund_awards WHERE id = NEW.award_id)
BEGIN SELECT RAISE(ABORT, 'releases may not exceed the award'); END;
--> statement-breakpoint
CREATE TRIGGER fund_objections_no_delete BEFORE DELETE ON fund_objections BEGIN SELECT RAISE(ABORT, 'objections are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER fund_objections_answer_once BEFORE UPDATE ON fund_objections
WHEN OLD.answer IS NOT NULL OR NEW.body <> OLD.body OR NEW.name <> OLD.name OR NEW.contact <> OLD.contact OR NEW.call_id <> OLD.call_id
  OR COALESCE(NEW.application_id, -1) <> COALESCE(OLD.application_id, -1) OR NEW.created_at <> OLD.created_at
BEGIN SELECT RAISE(ABORT, 'an objection is kept as raised and answered once'); END;
