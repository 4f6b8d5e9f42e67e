CREATE INDEX `needs_recent` ON `needs` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_deadline` ON `needs` (`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_status_expiry` ON `needs` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `needs_category_recent` ON `needs` (`category`,`created_at`);--> statement-breakpoint
CREATE INDEX `offers_recent` ON `offers` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `offers_deadline` ON `offers` (`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `offers_status_expiry` ON `offers` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `offers_category_recent` ON `offers` (`category`,`created_at`);--> statement-breakpoint
CREATE INDEX `organizations_listing` ON `organizations` (("kind" <> 'community_group'),`created_at`,`id`);