CREATE TABLE `capacity_assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`assessor_id` integer NOT NULL,
	`assessed_on` text NOT NULL,
	`with_leader` integer DEFAULT false NOT NULL,
	`participants` text DEFAULT '' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assessor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `capacity_assessments_org` ON `capacity_assessments` (`org_id`,`assessed_on`);--> statement-breakpoint
CREATE TABLE `capacity_scores` (
	`assessment_id` integer NOT NULL,
	`indicator` text NOT NULL,
	`score` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`assessment_id`, `indicator`),
	FOREIGN KEY (`assessment_id`) REFERENCES `capacity_assessments`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "capacity_scores_range" CHECK("capacity_scores"."score" BETWEEN 1 AND 5)
);
