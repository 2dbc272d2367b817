"""Alert channels: WeCom, DingTalk and Feishu bots and e-mail, with routing, grouping,
quiet hours and escalation. The alerts service drives it (`dispatcher.Dispatcher`);
docs/alerts.md describes the settings and the messages."""
