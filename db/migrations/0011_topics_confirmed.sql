ALTER TABLE `needs` ADD `topics_confirmed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `offers` ADD `topics_confirmed` integer DEFAULT false NOT NULL;