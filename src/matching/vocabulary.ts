/**
 * The shipped topic vocabulary: what listings of each category are about, in Chinese and English, with the
 * words people in Guangzhou's communities actually write for them. Data, not code: `describe` in topics.ts
 * reads it; admins add topics and synonyms in the UI (topic_terms), which buildVocabulary merges in.
 *
 * How a term is matched (see src/matching/README.md): Chinese terms as substrings, English terms as whole
 * words with their plural/-ing forms. The longest term wins where terms overlap, so 手机摄影 (photography)
 * is not read as 手机 (smartphone lessons). A term listed under two topics tags a listing with both (排练
 * under both rooms and halls would be one): use that for words that honestly mean either. `not` lists
 * phrases that contain a topic's word but mean something else; they match and tag nothing.
 *
 * Granularity is what decides a fit, not a taxonomy: two listings fit when they share a topic, so a topic
 * must be something a need could be served by any offer of. Rooms people use interchangeably (活动室, 会议室,
 * 礼堂, 多功能厅) are one topic; a kitchen, a basketball court and a storeroom are not.
 */
import type { Topic } from './topics.js'

const topic = (
  category: string,
  code: string,
  zh: string,
  en: string,
  synonyms: readonly string[],
  not: readonly string[] = [],
): Topic => ({ code, category, zh, en, synonyms, ...(not.length > 0 ? { not } : {}) })

const venue = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('venue', code, zh, en, synonyms, not)
const funds = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('funds', code, zh, en, synonyms, not)
const volunteers = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('volunteers', code, zh, en, synonyms, not)
const training = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('training', code, zh, en, synonyms, not)
const materials = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('materials', code, zh, en, synonyms, not)
const expertise = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('expertise', code, zh, en, synonyms, not)
const publicity = (code: string, zh: string, en: string, synonyms: readonly string[], not?: readonly string[]) =>
  topic('publicity', code, zh, en, synonyms, not)

export const TOPICS: readonly Topic[] = [
  // ---------------------------------------------------------------------------------------------- venue
  venue('activity_room', '活动室/会议室', 'activity room / meeting room', [
    '活动室', '活动中心', '多功能厅', '多功能室', '功能室', '会议室', '会议厅', '议事厅', '议事室', '礼堂', '大礼堂',
    '剧场', '小剧场', '舞台', '演出场地', '排练场地', '排练室', '排练厅', '排练', '舞蹈室', '舞蹈房', '形体室', '练功房',
    '室内场地', '室内活动场地', '活动场地', '活动场所', '活动空间', '教室', '课室', '培训室', '讲座场地', '开会',
    '党群服务中心', '长者活动中心', '老人活动中心', '星光老年之家', '文化室', '大厅', '多媒体室', '报告厅', '亲子室',
    'activity room', 'meeting room', 'meeting space', 'conference room', 'function room', 'multi-purpose room',
    'multipurpose room', 'multi-function room', 'community room', 'community hall', 'church hall', 'village hall',
    'hall', 'auditorium', 'theatre', 'theater', 'stage', 'rehearsal space', 'rehearsal room', 'rehearsal',
    'dance studio', 'studio space', 'classroom', 'training room', 'indoor space', 'room for', 'seminar room', 'event space',
    'venue for a talk', 'room', '房间', '一间房',
  ], ['活动室外', '会议记录', '开会时间', '搭舞台', '搭建舞台']),
  venue('sports_ground', '运动场地', 'sports ground / court', [
    '篮球场', '足球场', '羽毛球场', '乒乓球室', '乒乓球台', '球场', '运动场', '操场', '体育馆', '健身房', '健身室',
    '跑道', '门球场', '网球场', '游泳池', '运动场地',
    'basketball court', 'football pitch', 'football field', 'badminton court', 'tennis court', 'sports hall',
    'sports ground', 'playing field', 'gym', 'gymnasium', 'running track', 'table tennis room', 'swimming pool', 'court',
  ]),
  venue('outdoor_space', '户外场地', 'outdoor space', [
    '文化广场', '社区广场', '小广场', '休闲广场', '户外场地', '户外空间', '露天场地', '户外活动场地', '室外场地', '露天', '空地', '草坪', '草地', '院子', '庭院', '天台', '楼顶平台', '架空层',
    '停车场空地', '公园一角', '户外活动',
    'outdoor space', 'outdoor area', 'open-air', 'open air', 'courtyard', 'lawn', 'square', 'plaza', 'yard', 'rooftop',
    'car park space',
  ], ['广场舞']),
  venue('kitchen', '厨房', 'kitchen', [
    '厨房', '社区厨房', '烹饪室', '烘焙室', '灶台', '共享厨房', '烹饪教室', '长者饭堂厨房',
    'kitchen', 'community kitchen', 'cooking space', 'teaching kitchen', 'commercial kitchen',
  ]),
  venue('storage', '仓储空间', 'storage space', [
    '仓库', '储物间', '储藏室', '杂物间', '存放物资', '存放', '仓储', '放物资',
    'storage', 'storeroom', 'store room', 'warehouse', 'lock-up', 'somewhere to store',
  ]),
  venue('office_space', '办公场地', 'office space', [
    '办公室', '办公场地', '办公位', '工位', '办公桌', '办公地点', '办公空间', '孵化空间', '共享办公',
    'office space', 'office', 'desk space', 'desk', 'hot desk', 'coworking', 'co-working',
  ], ['街道办公室', '居委会办公室', 'street office', 'office hours', 'post office', 'residents committee office']),
  venue('counselling_room', '个案/咨询室', 'counselling room', [
    '心理咨询室', '咨询室', '个案室', '谈心室', '个案辅导室', '独立小房间', '私密空间', '宣泄室', '沙盘室',
    'counselling room', 'counseling room', 'consultation room', 'private room', 'quiet room', 'therapy room',
  ]),
  venue('garden_plot', '种植地', 'garden plot', [
    '菜园', '菜地', '种植地', '种植园', '屋顶花园', '社区花园', '一米菜园', '苗圃', '农场', '种植区', '花圃',
    'allotment', 'garden plot', 'community garden', 'growing space', 'vegetable patch', 'rooftop garden', 'plot of land',
  ]),
  venue('computer_room', '电脑室', 'computer room', [
    '电脑室', '机房', '电脑教室', '电脑房', '电子阅览室', '数字化教室',
    'computer room', 'computer lab', 'it suite', 'ict room',
  ]),
  venue('exhibition_space', '展览场地', 'exhibition space', [
    '展厅', '展览场地', '展览空间', '展示区', '展位', '展览馆', '展览室', '画廊', '办展',
    'exhibition space', 'exhibition hall', 'gallery', 'display space', 'exhibition',
  ]),
  venue('reading_room', '阅览室/图书室', 'reading room / library room', [
    '阅览室', '图书室', '图书角', '自习室', '读书角', '社区书屋', '农家书屋', '书房', '图书馆',
    'reading room', 'library room', 'study room', 'reading corner', 'library space', 'quiet study',
  ]),
  venue('music_room', '琴房/音乐室', 'music room', [
    '琴房', '音乐室', '录音室', '音乐教室', '隔音房', '隔音室', '曲艺室', '私伙局场地',
    'music room', 'practice room', 'recording studio', 'soundproof room',
  ]),
  venue('market_stall', '摊位', 'market stall', [
    '摊位', '义卖摊位', '市集摊位', '集市摊位', '摆摊', '档口', '展台',
    'market stall', 'stall', 'pitch at the market', 'table at the fair',
  ]),
  venue('childcare_room', '托管/四点半课堂场地', 'after-school room', [
    '四点半课堂', '托管室', '托管场地', '儿童之家', '四点半学校', '学习室',
    'after-school room', 'homework club room', 'childcare room', 'creche space',
  ]),

  // ---------------------------------------------------------------------------------------------- funds
  // A fund's topic is its purpose; a need's is what the money is for. A fund with none fits any need.
  funds('fund_elderly', '为老服务', 'older people', [
    '长者', '老人', '老年人', '高龄', '独居老人', '为老', '助老', '养老', '敬老', '重阳', '银发', '空巢', '老年',
    'elderly', 'older people', 'older residents', 'seniors', 'senior citizens', 'old people', 'pensioners',
  ], ['老人家里', '低龄长者']),
  funds('fund_disability', '助残服务', 'disability', [
    '残障', '残疾', '残疾人', '康复', '助残', '无障碍', '轮椅', '智障', '自闭症', '孤独症', '视障', '听障', '心智障碍',
    'disability', 'disabled', 'disabilities', 'rehabilitation', 'wheelchair', 'autism', 'accessibility', 'special needs',
  ]),
  funds('fund_children', '儿童青少年', 'children and youth', [
    '儿童', '孩子', '小朋友', '青少年', '亲子', '绘本', '小学生', '中小学生', '少儿', '幼儿', '留守儿童', '困境儿童', '课后', '暑期',
    'children', 'child', 'kids', 'youth', 'young people', 'teenagers', 'families with children', 'picture books', 'students',
  ]),
  funds('fund_culture', '文体活动', 'culture, arts and sport', [
    '文艺', '演出', '服装', '戏服', '粤剧', '舞蹈', '广场舞', '合唱', '比赛', '醒狮', '龙舟', '曲艺', '书法', '文化活动',
    '体育', '运动会', '节目', '表演', '乐器',
    'arts', 'culture', 'cultural', 'performance', 'costumes', 'dance', 'choir', 'competition', 'sports', 'festival',
    'music', 'opera', 'lion dance', 'dragon boat', 'tournament', 'football', 'basketball',
  ]),
  funds('fund_environment', '环保', 'environment', [
    '环保', '垃圾分类', '旧物改造', '低碳', '绿化', '节能', '减塑', '回收', '生态', '种植', '社区花园',
    'environment', 'environmental', 'recycling', 'upcycling', 'waste', 'greening', 'tree planting', 'climate', 'composting',
  ], ['绿化带']),
  funds('fund_health', '健康', 'health', [
    '健康', '医疗', '义诊', '慢病', '体检', '心理健康', '就医', '医药费', '药费',
    'health', 'medical', 'mental health', 'medicine', 'treatment', 'hospital', 'wellbeing',
  ], ['健康码']),
  funds('fund_relief', '困难帮扶', 'hardship relief', [
    '困难家庭', '帮扶', '救助', '低保', '特困', '扶贫', '救急', '慰问', '大病', '失业', '生活补助', '临时救助', '受灾', '房屋受损',
    'hardship', 'poverty', 'relief', 'low-income', 'low income', 'emergency help', 'families in need', 'food parcels',
  ]),
  funds('fund_volunteer_costs', '志愿者保障', 'volunteer costs', [
    '志愿者补贴', '交通补贴', '餐费补贴', '志愿者保险', '志愿者餐费', '志愿者交通', '自掏腰包', '交通费',
    'volunteer expenses', 'volunteer costs', 'travel expenses', 'travel costs', 'volunteer insurance', 'out of pocket',
  ]),
  funds('fund_education', '教育学习', 'education and learning', [
    '教育', '学习', '助学', '奖学金', '学费', '教材', '培训费', '课程费', '图书', '书籍', '阅读', '读书会', '购书', '买书', '新书',
    'education', 'learning', 'bursary', 'scholarship', 'tuition', 'course fees', 'books', 'reading', 'training costs',
  ]),
  funds('fund_community_governance', '社区治理', 'community governance', [
    '社区治理', '居民议事', '议事会', '自治', '楼道', '邻里', '社区营造', '协商', '居民公约', '楼长',
    'governance', 'residents committee', 'neighbourhood', 'neighborhood', 'resident participation', 'civic',
  ]),
  funds('fund_women_family', '妇女家庭', 'women and families', [
    '妇女', '女性', '母亲', '妈妈', '家暴', '单亲', '婚姻', '家庭教育', '亲子沟通', '家长',
    'women', 'mothers', 'family support', 'domestic violence', 'single parents', 'parenting',
  ], ['困难家庭']),
  funds('fund_migrants', '外来务工人员', 'migrant workers', [
    '外来务工', '务工人员', '工友', '新市民', '流动人口', '农民工', '打工',
    'migrant workers', 'migrants', 'new residents', 'new arrivals', 'factory workers',
  ]),
  funds('fund_capacity', '组织发展', 'organisation development', [
    '能力建设', '组织发展', '机构运营', '行政费用', '人员经费', '办公经费', '运营经费', '注册', '孵化',
    'capacity building', 'core costs', 'running costs', 'organisational development', 'organizational development', 'admin costs',
  ]),
  funds('fund_equipment', '设备购置', 'equipment purchase', [
    '设备购置', '购买设备', '添置设备', '器材', '音响', '买电脑', '购买电脑', '购置',
    'equipment', 'buy equipment', 'purchase of equipment', 'speakers', 'laptops',
  ]),
  funds('fund_emergency', '应急', 'emergency response', [
    '应急', '防汛', '台风', '防疫', '灾后', '火灾', '抗疫', '突发',
    'emergency response', 'flood', 'typhoon', 'disaster', 'pandemic', 'fire',
  ]),

  // ---------------------------------------------------------------------------------------------- volunteers
  volunteers('meal_delivery', '送餐助餐', 'meal delivery', [
    '送餐', '助餐', '分餐', '长者饭堂', '老人饭堂', '配餐', '打饭', '送饭', '饭堂', '社区食堂', '爱心午餐',
    'meal delivery', 'deliver meals', 'delivering meals', 'meals on wheels', 'lunch delivery', 'serve lunch', 'serving meals',
    'community canteen', 'hot meals', 'food delivery',
  ]),
  volunteers('elderly_visiting', '探访陪伴', 'visiting and befriending', [
    '探访', '陪伴', '陪聊', '上门探望', '探望', '关爱独居', '聊天解闷', '电话问候', '结对', '关怀',
    'befriending', 'home visits', 'visiting', 'visit older', 'keep company', 'companionship', 'friendly calls', 'visit isolated',
  ]),
  volunteers('hospital_escort', '陪诊', 'hospital escort', [
    '陪诊', '陪同就医', '陪同看病', '陪看病', '陪老人看病', '去医院', '医院复诊', '复诊', '取药', '拿药', '挂号陪同',
    'hospital escort', 'hospital appointments', 'accompany to hospital', 'medical appointments', 'doctor appointments',
    'escort to clinic', 'collect prescriptions', 'go to hospital',
  ]),
  volunteers('mobility_escort', '出行陪同', 'outing and mobility help', [
    '出行陪同', '陪同出行', '推轮椅', '接送', '无障碍出行', '出行', '陪同外出', '外出活动', '代步',
    'escort', 'accompany on outings', 'push wheelchairs', 'pushing wheelchairs', 'wheelchair pushers', 'outings', 'transport', 'lifts',
    'drive residents', 'volunteer drivers',
  ], ['接送孩子放学']),
  volunteers('tutoring', '课业辅导', 'homework tutoring', [
    '作业辅导', '辅导作业', '课后辅导', '辅导功课', '功课辅导', '写作业', '辅导小学生', '陪读', '补习', '四点半课堂',
    '学业辅导', '辅导',
    'homework', 'tutoring', 'tutor', 'tutors', 'after-school', 'homework club', 'reading help', 'maths help', 'study support',
  ], ['心理辅导', '小组辅导', '辅导员']),
  volunteers('waste_sorting', '垃圾分类督导', 'waste sorting', [
    '垃圾分类', '分类督导', '督导分类', '投放点', '桶边督导', '早晚督导', '督导志愿', '督导员', '分类投放', '督导经验',
    'waste sorting', 'recycling', 'bin monitors', 'bin station', 'sorting rubbish', 'sort rubbish', 'sort waste',
  ]),
  volunteers('performance', '义演', 'performing', [
    '义演', '表演节目', '表演', '演出', '唱曲', '唱歌', '跳舞', '舞蹈队', '合唱团', '私伙局', '粤剧', '魔术', '乐队', '醒狮',
    'perform', 'performance', 'performers', 'singing', 'dance troupe', 'choir', 'band', 'entertain', 'entertainment',
  ], ['广场舞场地']),
  volunteers('event_support', '活动协助', 'event helpers', [
    '活动协助', '协助活动', '布置场地', '场地布置', '维持秩序', '引导', '签到', '活动志愿者', '搬运', '会务', '现场服务',
    '开放日', '生日会', '后勤', '登记', '裁判', '计分', '记分',
    'event helpers', 'event volunteers', 'stewards', 'stewarding', 'set up', 'setting up', 'marshals', 'help at events',
    'open day', 'fun day', 'registration desk', 'usher', 'ushers', 'referees', 'scorekeepers', 'sign-in desk',
  ]),
  volunteers('photography_volunteer', '摄影摄像', 'photography', [
    '摄影', '拍照', '摄像', '拍摄', '跟拍', '航拍', '视频剪辑', '剪辑',
    'photographer', 'photography', 'photos', 'filming', 'video', 'camera',
  ]),
  volunteers('translation_volunteer', '翻译', 'interpreting and translation', [
    '翻译', '口译', '粤语翻译', '手语', '手语翻译', '外语',
    'interpreter', 'interpreting', 'translation', 'translator', 'sign language', 'bsl',
  ]),
  volunteers('cleanup', '清洁美化', 'clean-ups', [
    '清洁', '大扫除', '环境卫生', '清理', '捡垃圾', '清扫', '除草', '美化', '洗楼道', '卫生死角',
    'clean-up', 'cleanup', 'clean up', 'litter picking', 'litter pick', 'tidy', 'cleaning', 'weeding',
  ]),
  volunteers('patrol', '治安巡逻', 'safety patrols', [
    '巡逻', '治安', '巡查', '安全巡查', '平安志愿', '消防巡查', '护校', '交通劝导', '文明劝导',
    'patrol', 'patrols', 'neighbourhood watch', 'neighborhood watch', 'safety checks', 'school crossing',
  ]),
  volunteers('digital_help', '数字助老', 'digital help', [
    '手机课助教', '助教', '教老人用手机', '教长者用手机', '数字助老', '智能手机', '手机', '电脑', '网上挂号', '健康码',
    'digital help', 'phone help', 'smartphone', 'teaching assistant', 'tech help', 'computer help', 'online forms',
  ], ['旧手机']),
  volunteers('repair_volunteer', '义修', 'repair volunteers', [
    '义修', '维修', '修理', '家电维修', '修单车', '修自行车', '水电维修', '修补', '缝补', '义剪', '理发',
    'repair', 'repairs', 'fix', 'fixing', 'handyman', 'haircuts', 'barber', 'sewing',
  ]),
  volunteers('storytelling', '讲故事/伴读', 'story reading', [
    '讲故事', '讲绘本', '绘本', '伴读', '亲子阅读', '读书会', '故事会', '故事妈妈', '故事爸爸',
    'story time', 'storytelling', 'reading to children', 'story reading', 'read stories', 'picture books',
  ]),
  volunteers('greening', '绿化种植', 'gardening and planting', [
    '种树', '植树', '绿化', '种植', '浇水', '园艺', '菜园', '社区花园',
    'gardening', 'planting', 'tree planting', 'garden', 'allotment', 'watering',
  ]),
  volunteers('child_care_volunteer', '儿童看护', 'childminding', [
    '看护孩子', '照看孩子', '托管', '儿童看护', '看孩子', '陪孩子玩', '带孩子', '儿童活动',
    'childminding', 'childcare', 'creche', 'look after children', 'play with children', 'kids activities',
  ]),
  volunteers('health_volunteer', '义诊健康', 'health volunteers', [
    '义诊', '量血压', '健康检查', '测血压', '测血糖', '护士', '医生志愿', '急救志愿',
    'health checks', 'blood pressure', 'nurses', 'doctors', 'first aiders', 'first aid cover',
  ]),

  // ---------------------------------------------------------------------------------------------- training
  training('smartphone_lessons', '智能手机教学', 'smartphone lessons', [
    '智能手机', '手机培训', '手机课', '手机班', '用手机', '手机使用', '手机操作', '手机教学', '手机挂号', '扫码', '健康码',
    '视频通话', '微信使用', '学微信', '移动支付', '手机支付', '网上挂号', '粤省事', '数字鸿沟', '数字技能', '手机一对一',
    '学手机', '玩转手机', '教长者使用手机',
    'smartphone', 'smartphones', 'phone lessons', 'phone class', 'mobile phone', 'using a phone', 'wechat', 'video calls',
    'mobile payments', 'digital skills', 'tablet', 'online banking', 'qr codes',
  ], ['旧手机', '手机摄影', '手机拍照', '用手机拍', '手机回收', '诈骗电话', '手机维修']),
  training('computer_skills', '电脑技能', 'computer skills', [
    '电脑培训', '电脑基础', '电脑课', '办公软件', 'excel', 'ppt', '打字', '电脑操作', '上网',
    'computer skills', 'computer class', 'computer course', 'office software', 'spreadsheets', 'typing', 'basic it',
    'microsoft office',
  ]),
  training('first_aid', '急救', 'first aid', [
    '急救', '心肺复苏', 'aed', '除颤', '海姆立克', '包扎', '红十字', '应急救护', '救护员',
    'first aid', 'cpr', 'defibrillator', 'life saving', 'resuscitation', 'heimlich',
  ]),
  training('fire_safety', '消防安全', 'fire safety', [
    '消防', '灭火', '火灾逃生', '逃生演练', '灭火器', '用电安全', '燃气安全', '安全培训', '防火',
    'fire safety', 'fire drill', 'extinguisher', 'evacuation', 'gas safety', 'electrical safety',
  ]),
  training('finance_bookkeeping', '财务规范', 'finance and bookkeeping', [
    '财务', '记账', '台账', '会计', '报销', '财务规范', '预算', '票据', '出纳', '审计',
    'bookkeeping', 'finance', 'accounting', 'budgeting skills', 'managing a budget', 'financial management', 'accounts', 'receipts',
  ]),
  training('project_skills', '项目设计与策划', 'project planning and proposals', [
    '项目书', '项目书写作', '项目设计', '活动策划', '策划', '项目管理', '申请书', '资助申请', '能力建设', '组织管理',
    '社区组织负责人', '骨干培训', '方案写作',
    'project planning', 'proposal writing', 'grant writing', 'event planning', 'project management', 'capacity building',
    'funding applications', 'bid writing', 'running a group',
  ]),
  training('caregiving', '照护技能', 'caregiving', [
    '照护', '护理', '护老', '失智照护', '认知症', '喂饭', '翻身', '家庭照顾者', '养老护理', '陪护技巧', '陪诊', '陪老人看病',
    'caregiving', 'care skills', 'carers', 'dementia care', 'nursing', 'caring for', 'hospital escort', 'moving and handling',
  ]),
  training('storytelling_training', '讲故事与亲子阅读', 'storytelling and reading', [
    '讲故事', '故事妈妈', '绘本', '亲子阅读', '阅读指导', '讲故事技巧', '故事会', '伴读',
    'storytelling', 'story telling', 'reading aloud', 'picture books', 'story time', 'shared reading',
  ]),
  training('parenting', '家庭教育', 'parenting', [
    '家庭教育', '亲子沟通', '育儿', '家长课堂', '家长学校', '正面管教', '青春期', '早教',
    'parenting', 'positive parenting', 'parents course', 'talking with teenagers', 'early years',
  ]),
  training('cooking_baking', '烹饪烘焙', 'cooking and baking', [
    '烘焙', '做面包', '饼干', '烹饪', '厨艺', '做饭', '煲汤', '点心', '蛋糕', '营养餐',
    'baking', 'cooking', 'bread making', 'cookery', 'cooking class', 'cakes',
  ]),
  training('vocational_skills', '职业技能', 'job skills', [
    '职业技能', '技能培训', '技能课', '实习', '电工', '家政', '育婴', '月嫂', '美容美发', '就业', '求职', '面试', '创业', '电商', '直播带货',
    'job skills', 'vocational', 'employability', 'cv writing', 'interview skills', 'electrician', 'housekeeping',
    'starting a business', 'e-commerce', 'job seekers', 'looking for work',
  ]),
  training('minutes_writing', '会议记录与公文', 'minute-taking and writing', [
    '会议记录', '记录员', '整理决议', '公文写作', '文书', '写通知', '会议纪要', '议事规则', '罗伯特议事',
    'minute taking', 'minute-taking', 'taking minutes', 'meeting minutes', 'meeting skills', 'chairing meetings', 'note taking',
  ]),
  training('volunteer_management', '志愿者管理', 'volunteer management', [
    '志愿者管理', '志愿者招募技巧', '志愿服务管理', '团队建设', '领导力',
    'volunteer management', 'managing volunteers', 'team building', 'leadership',
  ]),
  training('mental_health_training', '心理健康', 'mental health', [
    '心理健康', '减压', '情绪管理', '心理急救', '压力管理', '自杀预防', '正念',
    'mental health', 'stress', 'wellbeing', 'mental health first aid', 'mindfulness', 'emotional',
  ]),
  training('anti_fraud', '防诈骗', 'scam awareness', [
    '防诈骗', '反诈', '识别诈骗', '诈骗电话', '防骗', '电信诈骗', '金融安全',
    'scam', 'scams', 'fraud', 'anti-fraud', 'phone scams',
  ]),
  training('language_class', '语言课', 'language classes', [
    '普通话班', '普通话课', '学普通话', '普通话培训', '英语课', '英语班', '学英语', '英语培训', '英语角', '粤语班', '学粤语', '识字班', '识字课', '外语课', '中文课', '汉语课',
    'english class', 'english classes', 'english lessons', 'english conversation', 'learn english', 'mandarin class', 'mandarin lessons', 'cantonese class', 'cantonese lessons', 'language class', 'literacy', 'esol', 'chinese class',
  ]),
  training('sign_language', '手语', 'sign language', ['手语', 'sign language', 'bsl', 'makaton']),
  training('arts_training', '文艺技能', 'arts skills', [
    '舞蹈培训', '舞蹈课', '书法', '绘画', '国画', '乐器', '声乐', '合唱', '粤剧', '手工', '剪纸', '编织', '摄影', '手机摄影', '手机拍照', '用手机拍',
    '广场舞教学',
    'dance class', 'calligraphy', 'painting', 'drawing', 'music lessons', 'singing', 'crafts', 'knitting', 'photography',
  ]),
  training('health_education', '健康知识', 'health education', [
    '健康讲座', '慢病', '高血压', '糖尿病', '养生', '营养', '健康知识', '防跌倒', '中医保健', '少油少盐', '健康饮食', '低盐',
    'health talk', 'diabetes', 'blood pressure', 'healthy eating', 'nutrition', 'falls prevention',
  ]),
  training('legal_education', '普法', 'legal awareness', [
    '普法', '法律知识', '劳动法', '法律讲座', '维权', '民法典',
    'legal awareness', 'know your rights', 'employment law', 'legal workshop', 'tenant rights',
  ]),
  training('new_media', '新媒体运营', 'social media skills', [
    '公众号运营', '新媒体', '短视频', '视频剪辑', '剪映', '抖音', '推文', '排版', '宣传技巧',
    'social media', 'video editing', 'content creation', 'newsletter design', 'publicity skills',
  ]),

  // ---------------------------------------------------------------------------------------------- materials
  materials('sound_equipment', '音响设备', 'sound equipment', [
    '音响', '音箱', '扩音器', '扩音设备', '扩音', '小蜜蜂', '喇叭', '话筒', '麦克风', '功放', '调音台', '无线话筒',
    '拉杆音箱', '蓝牙音箱', '广场舞音响',
    'speaker', 'speakers', 'pa system', 'pa', 'sound system', 'microphone', 'microphones', 'mic', 'mics', 'amplifier',
    'amp', 'loudspeaker', 'megaphone', 'mixer', 'sound equipment', 'bluetooth speaker',
  ]),
  materials('projector_screen', '投影设备', 'projector and screen', [
    '投影仪', '投影', '幕布', '投影幕', '大屏', '电视机', '显示屏', '一体机',
    'projector', 'screen', 'projection', 'television', 'tv', 'monitor',
  ]),
  materials('phones_tablets', '手机平板', 'phones and tablets', [
    '手机', '智能手机', '旧手机', '平板', '平板电脑', 'ipad', '老人机',
    'phone', 'phones', 'smartphone', 'smartphones', 'mobile phone', 'tablet', 'tablets', 'handsets',
  ]),
  materials('computers', '电脑', 'computers', [
    '电脑', '笔记本电脑', '台式机', '旧电脑', '显示器', '键盘', '主机',
    'computer', 'computers', 'laptop', 'laptops', 'desktop', 'pcs', 'chromebook',
  ]),
  materials('printer', '打印复印设备', 'printer', [
    '打印机', '复印机', '扫描仪', '墨盒', '硒鼓', '打印纸', 'a4纸',
    'printer', 'photocopier', 'scanner', 'ink cartridges', 'toner', 'printer paper',
  ]),
  materials('furniture', '桌椅家具', 'furniture', [
    '桌椅', '课桌椅', '课桌', '椅子', '桌子', '折叠椅', '折叠桌', '长桌', '凳子', '板凳', '沙发', '书架', '书柜', '柜子',
    '储物柜', '家具', '货架',
    'furniture', 'tables', 'table', 'chairs', 'chair', 'desks', 'folding chairs', 'folding tables', 'benches', 'shelves',
    'bookshelves', 'cupboard', 'cabinets', 'sofa', 'trestle tables',
  ], ['桌椅板凳的场地']),
  materials('tents_canopies', '帐篷遮阳', 'tents and gazebos', [
    '帐篷', '遮阳棚', '遮阳伞', '太阳伞', '雨棚', '展篷', '天幕',
    'tent', 'tents', 'gazebo', 'gazebos', 'canopy', 'marquee', 'parasol',
  ]),
  materials('rehab_aids', '康复辅具', 'rehabilitation and mobility aids', [
    '康复器材', '康复训练器材', '康复辅具', '辅具', '轮椅', '助行器', '拐杖', '握力球', '平衡垫', '护理床', '助听器',
    '坐便椅', '洗澡椅', '扶手', '康复',
    'wheelchair', 'wheelchairs', 'walker', 'walking frame', 'walking frames', 'crutches', 'rehabilitation equipment',
    'mobility aids', 'hearing aids', 'rehab equipment', 'grab rails', 'commode',
  ]),
  materials('books', '图书', 'books', [
    '图书', '书籍', '绘本', '课外读物', '练习册', '教辅', '教辅书', '教材', '课本', '教科书', '字典', '杂志', '读物', '书本', '连环画', '图书角',
    'books', 'book', 'picture books', 'workbooks', 'textbooks', 'dictionaries', 'magazines', 'reading books',
  ]),
  materials('stationery', '文具', 'stationery', [
    '文具', '书包', '笔记本', '铅笔', '水彩笔', '画笔', '作业本', '本子', '文具盒', '彩笔', '白板笔',
    'stationery', 'school bags', 'pencils', 'pens', 'notebooks', 'crayons', 'exercise books', 'art supplies',
  ], ['笔记本电脑']),
  materials('food', '食品', 'food', [
    '食品', '面包', '大米', '粮油', '食用油', '月饼', '牛奶', '鸡蛋', '早餐', '水果', '蔬菜', '零食', '粽子', '汤圆',
    '饼干', '米面', '剩余食物', '临期食品',
    'food', 'bread', 'rice', 'cooking oil', 'milk', 'eggs', 'fruit', 'vegetables', 'snacks', 'mooncakes', 'groceries',
    'food parcels', 'surplus food', 'breakfast',
  ]),
  materials('summer_relief', '防暑降温', 'summer heat relief', [
    '防暑', '降温', '凉茶', '风油精', '清凉油', '藿香正气', '电风扇', '风扇', '冰袖', '绿豆', '清凉',
    'heat relief', 'cooling', 'fans', 'electric fans', 'herbal tea', 'heatwave', 'heat wave', 'summer heat',
  ]),
  materials('winter_warmth', '御寒保暖', 'winter warmth', [
    '御寒', '保暖', '棉被', '被子', '棉衣', '羽绒服', '冬衣', '暖宝宝', '取暖器', '电热毯', '围巾', '手套毛线',
    'winter coats', 'blankets', 'duvets', 'heaters', 'warm clothes', 'hot water bottles', 'winter warmth',
  ]),
  materials('clothing', '衣物', 'clothing', [
    '衣物', '衣服', '旧衣', '旧衣服', '鞋子', '校服', '童装', '衣裤',
    'clothes', 'clothing', 'shoes', 'school uniforms', 'second-hand clothes', "children's clothes",
  ], ['演出服装', '统一服装']),
  materials('hygiene_supplies', '清洁卫生用品', 'hygiene supplies', [
    '口罩', '消毒液', '洗手液', '酒精', '纸巾', '卫生纸', '毛巾', '牙膏', '牙刷', '洗衣液', '肥皂', '卫生巾', '日用品',
    'masks', 'face masks', 'hand sanitiser', 'hand sanitizer', 'disinfectant', 'tissues', 'toilet paper', 'towels',
    'toiletries', 'soap', 'sanitary products', 'toothpaste',
  ]),
  materials('incontinence_care', '护理用品', 'care supplies', [
    '纸尿裤', '成人纸尿裤', '护理垫', '尿不湿', '看护垫', '防褥疮',
    'incontinence pads', 'adult nappies', 'adult diapers', 'bed pads', 'continence',
  ]),
  materials('medical_supplies', '医疗用品', 'medical supplies', [
    '血压计', '血糖仪', '体温计', '药箱', '急救包', '急救箱', '医药箱', '创可贴', '药品', '常用药', '体重秤', '制氧机',
    'blood pressure monitor', 'first aid kit', 'first aid kits', 'thermometer', 'glucose meter', 'medicine',
    'medical supplies', 'oximeter',
  ]),
  materials('handicrafts', '手工艺品', 'handicrafts', [
    '手工艺品', '手工作品', '布艺', '串珠', '礼品', '纪念品', '小礼物', '手工皂', '编织品', '义卖品',
    'handicrafts', 'handmade', 'crafts for sale', 'gifts', 'souvenirs', 'beadwork', 'prizes', 'knitted toys', 'handmade cards',
  ], ['手工艺品材料']),
  materials('craft_materials', '手工材料', 'craft materials', [
    '手工材料', '彩纸', '毛线', '布料', '剪刀', '胶水', '颜料', '黏土', '手工包', 'diy材料', '材料包', '卡纸',
    'craft materials', 'craft supplies', 'wool', 'yarn', 'fabric', 'glue', 'paint', 'clay', 'coloured card', 'scissors',
  ]),
  materials('performance_props', '演出道具与服装', 'props and costumes', [
    '道具', '扇子', '彩带', '演出服', '演出服装', '戏服', '舞蹈服', '表演服', '头饰', '化妆品', '彩旗', '手绢', '腰鼓',
    'props', 'costumes', 'fans for dancing', 'ribbons', 'dance costumes', 'stage make-up', 'stage makeup',
  ]),
  materials('waste_sorting_supplies', '分类投放用品', 'waste sorting supplies', [
    '分类小桶', '分类垃圾桶', '垃圾桶', '分类桶', '垃圾袋', '厨余桶', '垃圾夹', '夹子', '手套', '督导用品', '环保袋',
    'bins', 'recycling bins', 'rubbish bags', 'bin bags', 'litter pickers', 'gloves', 'compost bins', 'caddies',
  ]),
  materials('sports_equipment', '体育器材', 'sports equipment', [
    '体育器材', '健身器材', '篮球', '足球', '羽毛球拍', '乒乓球拍', '跳绳', '瑜伽垫', '哑铃', '毽子', '球拍', '运动器材',
    'sports equipment', 'footballs', 'basketballs', 'rackets', 'skipping ropes', 'yoga mats', 'fitness equipment', 'balls',
  ], ['篮球场', '足球场']),
  materials('toys_games', '玩具', 'toys and games', [
    '玩具', '积木', '益智玩具', '桌游', '拼图', '棋类', '棋牌', '围棋', '跳棋', '象棋', '毛绒玩具', '乐高',
    'toys', 'games', 'board games', 'lego', 'jigsaws', 'puzzles', 'chess',
  ]),
  materials('appliances', '家用电器', 'household appliances', [
    '冰箱', '微波炉', '洗衣机', '空调', '热水器', '电饭煲', '饮水机', '消毒柜', '电磁炉', '家电',
    'fridge', 'freezer', 'microwave', 'washing machine', 'air conditioner', 'kettle', 'rice cooker', 'appliances',
  ]),
  materials('kitchenware', '厨具餐具', 'kitchenware', [
    '餐具', '碗筷', '锅具', '炒锅', '电饭锅', '锅碗瓢盆', '炊具', '厨具', '保温箱', '餐盒', '饭盒', '保温袋', '送餐箱', '一次性餐盒',
    'kitchenware', 'cutlery', 'plates', 'pots and pans', 'crockery', 'food containers', 'insulated boxes', 'lunch boxes',
  ]),
  materials('transport_carts', '推车与车辆', 'carts and bikes', [
    '手推车', '推车', '三轮车', '小推车', '自行车', '单车', '电动车', '拖车', '面包车',
    'trolley', 'trolleys', 'cart', 'bikes', 'bicycles', 'tricycle', 'van', 'minibus', 'hand truck',
  ], ['推轮椅', '修单车', '修自行车']),
  materials('decorations', '装饰布置用品', 'decorations', [
    '气球', '灯笼', '装饰', '布置用品', '拉花', '背景板', '彩灯', '春联', '福字', '桌布',
    'decorations', 'balloons', 'lanterns', 'bunting', 'backdrop', 'fairy lights', 'tablecloths',
  ]),
  materials('cleaning_tools', '清洁工具', 'cleaning tools', [
    '扫把', '拖把', '清洁工具', '水桶', '抹布', '吸尘器', '簸箕', '高压水枪',
    'brooms', 'mops', 'cleaning equipment', 'cleaning tools', 'vacuum cleaner', 'buckets',
  ]),
  materials('gardening_supplies', '园艺用品', 'gardening supplies', [
    '种子', '菜种', '菜籽', '花苗', '菜苗', '锄头', '花盆', '园艺工具', '泥土', '肥料', '营养土', '铲子', '洒水壶', '绿植', '盆栽',
    'seeds', 'vegetable seeds', 'seedlings', 'spades', 'trowels', 'plant pots', 'compost', 'gardening tools', 'watering cans', 'plants',
  ]),
  materials('baby_supplies', '母婴用品', 'baby supplies', [
    '奶粉', '婴儿车', '婴儿床', '尿片', '母婴用品', '奶瓶', '婴儿用品',
    'formula milk', 'baby formula', 'pushchair', 'buggy', 'pram', 'cot', 'baby clothes', 'nappies', 'baby things',
  ]),
  materials('musical_instruments', '乐器', 'musical instruments', [
    '乐器', '锣鼓', '二胡', '扬琴', '钢琴', '电子琴', '吉他', '琵琶', '古筝', '高胡', '唢呐', '架子鼓', '大鼓', '手鼓',
    'musical instruments', 'instruments', 'piano', 'keyboard', 'guitar', 'drums', 'erhu', 'ukulele',
  ], ['鼓励']),
  materials('cameras', '摄影器材', 'cameras', [
    '相机', '摄像机', '单反', '三脚架', '运动相机', '云台',
    'camera', 'cameras', 'video camera', 'tripod', 'camcorder',
  ]),
  materials('rain_gear', '雨具', 'rain gear', ['雨伞', '雨衣', '雨靴', 'umbrellas', 'raincoats', 'ponchos', 'wellies']),

  // ---------------------------------------------------------------------------------------------- expertise
  expertise('legal_advice', '法律咨询', 'legal advice', [
    '法律咨询', '法律援助', '律师', '法律', '欠薪', '工伤', '劳动合同', '劳动仲裁', '劳动纠纷', '租房纠纷', '遗嘱', '赡养',
    '维权', '合同审核', '法律顾问',
    'legal advice', 'lawyer', 'solicitor', 'legal aid', 'unpaid wages', 'employment rights', 'tenancy', 'contract',
    'making a will', 'legal', 'immigration advice',
  ]),
  expertise('counselling', '心理支持', 'counselling', [
    '心理咨询', '心理咨询师', '心理支持', '心理辅导', '心理疏导', '情绪支持', '减压', '哀伤辅导', '心理', '小组辅导',
    '支持小组', '个案辅导', '喘息',
    'counselling', 'counseling', 'counsellor', 'counselor', 'therapist', 'therapy', 'psychologist', 'emotional support',
    'mental health', 'support group', 'bereavement',
  ]),
  expertise('social_work_supervision', '社工督导', 'social work supervision', [
    '社工督导', '团队督导', '督导', '个案督导', '专业督导',
    'supervision', 'social work supervision', 'clinical supervision', 'team supervision',
  ]),
  expertise('project_design_evaluation', '项目设计与评估', 'project design and evaluation', [
    '项目设计', '项目评估', '评估', '效果评估', '成效评估', '项目督导', '需求调研', '调研', '问卷设计', '数据分析', '设计项目', '项目管理', '监测',
    'evaluation', 'evaluate', 'impact assessment', 'project design', 'monitoring', 'needs assessment', 'research',
  ]),
  expertise('writing_help', '文案与申请书', 'writing and proposals', [
    '文案', '申请书', '写作', '方案修改', '活动方案', '资助申请', '项目书', '总结报告', '材料撰写', '润色',
    'copywriting', 'grant writing', 'proposal', 'proposals', 'writing', 'funding application', 'editing', 'reports',
  ]),
  expertise('arts_coaching', '文艺指导', 'arts coaching', [
    '舞蹈老师', '编排', '编舞', '舞蹈', '舞蹈编排', '声乐', '合唱指导', '指挥', '粤剧老师', '乐器指导', '书法老师', '美术',
    '节目编排', '排练指导',
    'choreography', 'choreographer', 'dance teacher', 'dance', 'choir director', 'vocal coach', 'music teacher', 'art teacher',
    'drama coach',
  ]),
  expertise('fitness_coaching', '健身运动指导', 'fitness coaching', [
    '健身', '健身操', '体育老师', '运动指导', '太极', '八段锦', '教练', '康复运动', '体适能',
    'fitness', 'exercise class', 'exercise classes', 'coach', 'coaching', 'pe teacher', 'tai chi', 'personal trainer', 'sport',
  ]),
  expertise('medical_advice', '医疗健康', 'medical and health advice', [
    '义诊', '医生', '中医', '健康咨询', '量血压', '护士', '药师', '家庭医生', '慢病管理', '体检', '营养师', '口腔检查',
    'doctor', 'gp', 'nurse', 'pharmacist', 'health check', 'health checks', 'medical advice', 'nutritionist', 'dentist',
  ]),
  expertise('rehab_therapy', '康复治疗', 'rehabilitation therapy', [
    '康复治疗', '康复师', '物理治疗', '作业治疗', '言语治疗', '康复指导', '理疗',
    'physiotherapy', 'physiotherapist', 'occupational therapy', 'speech therapy', 'rehabilitation therapy',
  ]),
  expertise('accounting', '财务审计', 'accounting', [
    '财务', '会计', '审计', '记账', '税务', '报税', '财务咨询', '做账',
    'accountant', 'accounting', 'audit', 'bookkeeper', 'bookkeeping', 'tax', 'payroll', 'accounts',
  ]),
  expertise('design', '设计', 'graphic design', [
    '平面设计', '海报设计', '设计', 'logo', '标志设计', '排版', '美工', '视觉设计', '插画',
    'graphic design', 'designer', 'design', 'logo design', 'layout', 'illustration', 'illustrator',
  ], ['项目设计', '活动设计']),
  expertise('photo_video', '摄影摄像', 'photography and video', [
    '摄影', '摄像', '拍照', '拍摄', '视频剪辑', '剪辑', '宣传片', '航拍', '后期',
    'photography', 'photographer', 'video', 'filming', 'videographer', 'video editing',
  ], ['手机摄影']),
  expertise('it_support', '信息技术', 'it support', [
    '网站', '电脑维修', '网络维护', '网络', 'it支持', '信息化', '数据库', '小程序', '网络安全', '电脑',
    'it support', 'website', 'web', 'computer repair', 'wifi', 'database', 'software', 'tech support', 'it help',
  ]),
  expertise('translation', '翻译', 'translation', [
    '翻译', '口译', '笔译', '外语', '英语翻译', '手语翻译',
    'translation', 'translator', 'interpreting', 'interpreter',
  ]),
  expertise('building_repair', '维修改造', 'repairs and adaptation', [
    '维修', '水电', '装修', '适老化改造', '无障碍改造', '改造', '电工', '水管', '修缮', '安装扶手',
    'repairs', 'plumber', 'plumbing', 'electrician', 'renovation', 'home adaptations', 'builder', 'handyman',
  ]),
  expertise('fundraising', '筹款', 'fundraising', [
    '筹款', '募捐', '众筹', '99公益日', '劝募', '资源链接',
    'fundraising', 'fundraiser', 'donor', 'donations strategy', 'crowdfunding',
  ]),
  expertise('family_education', '家庭教育指导', 'family and parenting support', [
    '家庭教育', '亲子关系', '育儿指导', '家庭辅导', '婚姻家庭', '亲子沟通',
    'parenting support', 'family support', 'family therapy', 'parenting advice',
  ]),
  expertise('elder_care_advice', '养老照护指导', 'elder care advice', [
    '养老照护', '照护指导', '护理指导', '失智', '认知症', '长期照护', '居家养老',
    'dementia', 'care advice', 'elder care', 'home care', 'care planning',
  ]),

  // ---------------------------------------------------------------------------------------------- publicity
  publicity('print_materials', '海报与印刷品', 'posters and printing', [
    '海报', '印刷', '打印', '宣传单', '单页', '传单', '折页', '小册子', '宣传册', '手册', '宣传品', '单张', '明信片',
    'a3', '彩印',
    'posters', 'poster', 'printing', 'leaflets', 'leaflet', 'flyers', 'flyer', 'booklets', 'brochures', 'printed', 'print',
  ], ['海报设计']),
  publicity('social_media', '公众号与新媒体', 'social media', [
    '公众号', '推送', '微信群', '朋友圈', '视频号', '抖音', '小红书', '微博', '新媒体', '推文', '线上宣传', '转发',
    'social media', 'wechat', 'wechat account', 'post online', 'instagram', 'facebook', 'newsletter', 'online',
  ]),
  publicity('notice_board', '宣传栏', 'notice boards', [
    '宣传栏', '公告栏', '橱窗', '告示栏', '宣传橱窗', '楼道公告', '电梯广告', '电梯',
    'notice board', 'noticeboard', 'bulletin board', 'display board', 'put up notices', 'lift',
  ]),
  publicity('digital_screens', '电子屏', 'digital screens', [
    '电子屏', 'led屏', '显示屏', '广告屏', '滚动播放', '大屏幕', '电视屏', '电子显示屏',
    'screen', 'screens', 'digital screen', 'led screen', 'digital display',
  ]),
  publicity('news_coverage', '报道采访', 'news coverage', [
    '报道', '专题报道', '新闻', '采访', '记者', '新闻稿', '媒体', '报纸', '电视台',
    'news', 'coverage', 'story', 'article', 'press', 'journalist', 'interview', 'media', 'press release',
  ]),
  publicity('banners_displays', '横幅展架', 'banners and stands', [
    '横幅', '条幅', '展架', '易拉宝', 'x展架', '拱门', '背景墙', '喷绘', 'kt板',
    'banner', 'banners', 'pull-up banner', 'roller banner', 'display stand', 'backdrop',
  ]),
  publicity('video_promo', '宣传视频', 'promotional video', [
    '宣传片', '宣传视频', '短视频', '视频拍摄', '微电影', 'vlog', '直播',
    'promotional video', 'promo video', 'short video', 'livestream', 'film',
  ]),
  publicity('broadcast', '广播', 'broadcasts', [
    '广播', '小喇叭', '社区广播', '电台', '流动宣传车',
    'radio', 'broadcast', 'announcement', 'loudspeaker van', 'tannoy',
  ]),
  publicity('community_newsletter', '社区简报', 'community newsletter', [
    '简报', '社区报', '通讯', '内刊', '季刊', '月报',
    'newsletter', 'bulletin', 'community magazine', 'residents newsletter',
  ]),
  publicity('door_to_door', '入户宣传', 'door-to-door outreach', [
    '入户宣传', '派发', '上门宣传', '摆摊宣传', '宣传摊位', '扫楼', '入户派发', '路演', '现场咨询',
    'door to door', 'door-to-door', 'leafleting', 'street stall', 'outreach', 'stall in the market',
  ]),
]
