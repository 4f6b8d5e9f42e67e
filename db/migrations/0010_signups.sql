CREATE TABLE `signups` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`locale` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `signups_email` ON `signups` (`email`);