DROP INDEX `needs_status_expiry`;--> statement-breakpoint
DROP INDEX `needs_deadline`;--> statement-breakpoint
DROP INDEX `needs_area`;--> statement-breakpoint
CREATE INDEX `needs_urgency` ON `needs` (CASE "urgency" WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_active` ON `needs` (`status`,`expires_at`,`remaining`,`until_date`,`urgency`);--> statement-breakpoint
CREATE INDEX `needs_category_deadline` ON `needs` (`category`,"expires_at" IS NULL,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_category_urgency` ON `needs` (`category`,CASE "urgency" WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_deadline` ON `needs` ("expires_at" IS NULL,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `needs_area` ON `needs` (`area_id`,`status`,`expires_at`,`remaining`,`until_date`,`urgency`);--> statement-breakpoint
DROP INDEX `offers_status_expiry`;--> statement-breakpoint
DROP INDEX `offers_deadline`;--> statement-breakpoint
DROP INDEX `offers_area`;--> statement-breakpoint
CREATE INDEX `offers_capacity` ON `offers` (`remaining`,`id`);--> statement-breakpoint
CREATE INDEX `offers_active` ON `offers` (`status`,`expires_at`,`until_date`,`remaining`);--> statement-breakpoint
CREATE INDEX `offers_category_deadline` ON `offers` (`category`,"expires_at" IS NULL,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `offers_category_capacity` ON `offers` (`category`,`remaining`,`id`);--> statement-breakpoint
CREATE INDEX `offers_deadline` ON `offers` ("expires_at" IS NULL,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `offers_area` ON `offers` (`serves_area_id`,`status`,`expires_at`,`until_date`,`remaining`);