CREATE TABLE `fit_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`need_id` integer NOT NULL,
	`offer_id` integer NOT NULL,
	`category` text NOT NULL,
	`topics` text DEFAULT '[]' NOT NULL,
	`source` text NOT NULL,
	`reason` text NOT NULL,
	`user_id` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`need_id`) REFERENCES `needs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fit_feedback_category` ON `fit_feedback` (`category`,`created_at`);--> statement-breakpoint
CREATE TABLE `topic_terms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`category` text NOT NULL,
	`topic` text NOT NULL,
	`kind` text NOT NULL,
	`lang` text NOT NULL,
	`term` text NOT NULL,
	`created_by` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`category`) REFERENCES `categories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topic_terms_unique` ON `topic_terms` (`category`,`topic`,`lang`,`term`);--> statement-breakpoint
ALTER TABLE `needs` ADD `topics` text;--> statement-breakpoint
ALTER TABLE `needs` ADD `keywords` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `topics` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `keywords` text;