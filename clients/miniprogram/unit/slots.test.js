"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");

const { dayWords, slotWords, slotDays } = load("utils/slots.js");

test("a slot reads as its day, weekday and part of the day", () => {
  assert.equal(dayWords("2030-03-05"), "2030-03-05（周二）");
  assert.equal(slotWords({ date: "2030-03-05", start: "09:00", end: "12:00" }), "2030-03-05（周二）上午 09:00–12:00");
  assert.equal(slotWords({ date: "2030-03-05", start: "14:30", end: "17:30" }), "2030-03-05（周二）下午 14:30–17:30");
});

test("the open slots by day, with free seats, the booked one marked", () => {
  const days = slotDays([
    { date: "2030-03-05", start: "09:00", end: "12:00", free: 3 },
    { date: "2030-03-05", start: "14:30", end: "17:30", free: 0 },
    { date: "2030-03-06", start: "09:00", end: "12:00", free: 1 },
  ], { date: "2030-03-06", start: "09:00", end: "12:00" });
  assert.deepEqual(days.map((d) => d.day), ["2030-03-05（周二）", "2030-03-06（周三）"]);
  assert.deepEqual(days[0].slots.map((s) => s.label), ["余 3", "名额已满"]);
  assert.deepEqual(days[1].slots.map((s) => [s.label, s.mine]), [["已预约", true]]);
});
