// 公众服务: the grid of the court's public services, as the mini-program opens. The others
// belong to other parts of the court's mini-program and are shown greyed, as on /m/.
Page({
  data: {
    others: ["诉讼指南", "联系法官", "案件查询", "电子送达", "缴费"],
  },
});
