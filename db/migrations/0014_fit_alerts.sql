CREATE TABLE `fit_alerts` (
	`need_id` integer NOT NULL,
	`offer_id` integer NOT NULL,
	`side` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`need_id`, `offer_id`),
	FOREIGN KEY (`need_id`) REFERENCES `needs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE cascade
);
