CREATE TABLE `project_groups` (
	`project_id` integer NOT NULL,
	`org_id` integer NOT NULL,
	`joined_on` text NOT NULL,
	`left_on` text,
	`consent_at` text,
	`consent_by` integer,
	PRIMARY KEY(`project_id`, `org_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consent_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `project_groups_org` ON `project_groups` (`org_id`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`funder` text DEFAULT '' NOT NULL,
	`area_id` integer NOT NULL,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_by` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "projects_period" CHECK("projects"."starts_on" <= "projects"."ends_on")
);
--> statement-breakpoint
CREATE INDEX `projects_area` ON `projects` (`area_id`);