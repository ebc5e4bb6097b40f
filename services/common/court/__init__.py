"""The court's rules more than one service applies: case numbers (案号), the court's clock and
working dates, people (phone, ID and credit-code checks, masking), when a reading ends, 实名认证
before case data, and how the services' copies of an application must agree.
"""
