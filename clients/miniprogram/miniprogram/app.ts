// 手机阅卷 of the court's mini-program: 公众服务 → 手机阅卷 → 阅卷申请 (the manual's path).
App({});
