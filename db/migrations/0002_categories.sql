-- The seven categories every district starts with; each has one unit (shared/DESIGN.md). Admins may add more.
INSERT INTO categories (code, name_zh, name_en, unit, position) VALUES
  ('venue', '场地', 'Venue', 'hours', 1),
  ('funds', '资金', 'Funds', 'yuan', 2),
  ('volunteers', '志愿者', 'Volunteers', 'person_hours', 3),
  ('training', '培训', 'Training', 'seats', 4),
  ('materials', '物资', 'Equipment & materials', 'items', 5),
  ('expertise', '专业服务', 'Expertise', 'hours', 6),
  ('publicity', '宣传', 'Publicity', 'items', 7);
