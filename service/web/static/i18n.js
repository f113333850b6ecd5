// zh-CN first; English is a dictionary over the Chinese strings (missing entries stay Chinese).
const KEY = 'duijie.lang';
const EN = {
  '山西省中小企业与高校、科研院所人才和研发供需对接服务':
    'Talent and R&D matchmaking between SMEs, universities and institutes in Shanxi',
  '首页': 'Home', '登录': 'Log in', '退出': 'Log out', '企业': 'Enterprise',
  '高校/院所': 'University', '对接专员': 'Coordinator', 'Excel 导入': 'Excel import',
  '从这里开始': 'Start here', '我是企业': 'I am an enterprise', '我是高校或科研院所': 'I am a university or institute',
  '我是对接专员': 'I am a coordinator', '进入企业工作台': 'Enterprise workspace',
  '进入高校工作台': 'University workspace', '进入对接活动管理': 'Manage rounds',
  '发布研发需求和招聘岗位，查看推荐的科研团队与人才，答复配对。':
    'Post R&D needs and job openings, see recommended teams and graduates, answer pairings.',
  '发布科研能力和人才库，查看推荐的需求与岗位，揭榜挂帅，答复配对。':
    'Publish capabilities and talent pools, see recommended needs and jobs, apply to open challenges, answer pairings.',
  '创建揭榜挂帅或招聘会活动，运行匹配，审核结果，发布配对并导出。':
    'Create open-challenge calls or recruitment fairs, run matching, review, publish and export.',
  '从 Excel 或 CSV 批量导入，先预览逐行校验结果，再保存。':
    'Bulk import from Excel or CSV: preview row-level checks first, then save.',
  '用户名': 'Login', '密码': 'Password', '演示账号': 'Demo logins',
  '研发需求': 'R&D needs', '招聘岗位': 'Job openings', '科研能力': 'Capabilities', '人才库': 'Talent pools',
  '我的配对': 'My pairings', '揭榜挂帅': 'Open challenges', '发布研发需求': 'Post an R&D need',
  '发布招聘岗位': 'Post a job opening', '发布科研能力': 'Publish a capability', '发布人才库': 'Publish a talent pool',
  '保存': 'Save', '取消': 'Cancel', '编辑': 'Edit', '推荐': 'Recommendations', '接受': 'Accept', '婉拒': 'Decline',
  '标题': 'Title', '描述': 'Description', '关键词': 'Keywords', '学科代码': 'Field codes', '合作方式': 'Cooperation modes',
  '预算下限（元）': 'Budget min (yuan)', '预算上限（元）': 'Budget max (yuan)', '截止日期': 'Deadline',
  '揭榜挂帅项目': 'Open challenge', '榜单金额（元）': 'Reward (yuan)', '状态': 'Status',
  '岗位名称': 'Job title', '技能': 'Skills', '专业': 'Majors', '最低学历': 'Minimum education', '招聘人数': 'Headcount',
  '城市': 'City', '月薪下限': 'Salary min', '月薪上限': 'Salary max', '类型': 'Type', '可承接项目数': 'Capacity',
  '专利号': 'Patent number', '联系人': 'Contact', '专业名称': 'Major', '专业代码': 'Major code', '学历层次': 'Degree',
  '毕业年份': 'Graduation year', '毕业生人数': 'Graduates', '草稿': 'Draft', '已发布': 'Published', '已关闭': 'Closed',
  '多个词用逗号或顿号分隔': 'Separate terms with commas', '已保存': 'Saved', '暂无记录': 'Nothing yet',
  '匹配的词': 'Matched terms', '得分': 'Score', '对接活动': 'Rounds', '新建对接活动': 'New round',
  '活动类型': 'Kind', '揭榜挂帅（研发需求 × 科研能力）': 'Open challenge (needs × capabilities)',
  '招聘会（岗位 × 人才库）': 'Recruitment fair (jobs × talent pools)', '匹配方法': 'Method',
  '全省所有已发布记录': 'Everyone published in the province', '范围：城市': 'Scope: cities',
  '每个需求最多配对数': 'Partners per demand', '候选数（top k）': 'Candidates (top k)',
  '时段（逗号分隔）': 'Slots (comma-separated)', '洽谈桌数': 'Tables', '创建': 'Create',
  '参与者': 'Participants', '需求方': 'Demand side', '供给方': 'Supply side', '开放报名': 'Open registration',
  '开始匹配': 'Start a run', '发布配对': 'Publish', '匹配结果': 'Results', '配对网络': 'Pairing network',
  '统计': 'Statistics', '洽谈日程': 'Fair schedule', '导出': 'Export', '排序': 'Sort', '筛选': 'Filter',
  '按得分': 'By score', '按需求名称': 'By title', '未匹配优先': 'Unmatched first', '只看未匹配': 'Only unmatched',
  '选定': 'Chosen', '备选': 'Alternates', '锁定': 'Pin', '排除': 'Forbid', '已锁定': 'Pinned', '已排除': 'Forbidden',
  '未匹配原因': 'Why unmatched', '建议邀请': 'Suggested invitations', '已揭榜': 'Applied',
  '按城市的匹配率': 'Matched share by city', '按行业的匹配率': 'Matched share by industry',
  '排定日程': 'Build schedule', '时段': 'Slot', '桌': 'Table', '申请揭榜': 'Apply',
  '选择科研能力': 'Choose a capability', '团队': 'Team', '方案': 'Proposal', '预计月数': 'Months', '报价（元）': 'Price (yuan)',
  '导入类型': 'Import kind', '文件（.xlsx 或 .csv）': 'File (.xlsx or .csv)', '预览': 'Preview',
  '确认导入': 'Import', '行': 'Row', '列': 'Column', '问题': 'Problem', '发布机构编号（管理员）': 'Owner id (admins)',
  '约束已保存，重新运行匹配后生效': 'Constraint saved; it applies to the next run',
  '需要先登录': 'Please log in first', '匹配完成': 'Run finished', '运行中': 'Running', '排队中': 'Queued',
  '双方接受后显示联系方式': 'Contacts are shown once both sides accept', '联系方式': 'Contacts',
  '需求': 'Demand', '对方': 'Counterpart', '我方答复': 'Our answer', '对方答复': 'Their answer', '待答复': 'Pending',
  '匹配率': 'Matched share', '已匹配需求': 'Matched demands', 'API 文档': 'API docs', '编辑中': 'Editing', '已发布配对': 'Published pairings',
  '对接成果': 'Outcome', '未登记': 'Not recorded', '洽谈已举行': 'Meeting held', '已签约': 'Contract signed',
  '已录用': 'Hired', '合同金额（元）': 'Contract amount (yuan)', '录用人数': 'Hires', '登记成果': 'Record outcome',
  '报名活动': 'Register', '报名对接活动': 'Register in a round', '报名': 'Register', '已报名': 'Registered',
  '按范围纳入': 'In scope', '选择研发需求': 'Choose an R&D need', '选择招聘岗位': 'Choose a job opening',
  '选择人才库': 'Choose a talent pool', '暂无已发布的记录可报名': 'Nothing published to register',
  '暂无开放报名的活动': 'No round is open for registration',
  '排除原因': 'Reason', '确认排除': 'Confirm', '例如：双方已有合作': 'e.g. the two already work together',
  '不能参加的时段': 'Slots we cannot attend', '不能参加': 'cannot attend', '无': 'none',
  '下载模板说明': 'Template columns', '表头可用中文列名或字段名': 'Headers may be Chinese labels or field names',
};

export function lang() {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function setLang(value) {
  localStorage.setItem(KEY, value);
}

export function t(text) {
  return lang() === 'en' ? (EN[text] ?? text) : text;
}

// Static text in the HTML shell is marked data-i18n.
export function applyI18n(root = document) {
  document.documentElement.lang = lang();
  for (const el of root.querySelectorAll('[data-i18n]')) {
    if (!el.dataset.zh) el.dataset.zh = el.textContent;
    el.textContent = t(el.dataset.zh);
  }
}
