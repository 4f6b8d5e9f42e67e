ALTER TABLE `offers` ADD `closed_at` text;--> statement-breakpoint
-- Closed offers get the time they were closed from the event log, or their last change when it has none (imported).
UPDATE `offers` SET `closed_at` = coalesce(
  (SELECT max(`at`) FROM `events` WHERE `events`.`subject_type` = 'offer' AND `events`.`subject_id` = `offers`.`id` AND `events`.`action` = 'offer.closed'),
  `updated_at`) WHERE `status` = 'closed';
