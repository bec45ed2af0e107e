// Reads iCalendar files with ical.js (Mozilla's parser, used by Thunderbird
// and many web calendars) as a calendar application does: parse, register
// the VTIMEZONEs, expand each VEVENT into an ICAL.Event. Prints, per file,
// the events as JSON for the Python test to check; exits non-zero (with
// ical.js's error) on a file it cannot read.
//
//   node icaljs_read.mjs <path to ical.js's dist/ical.js> <file.ics>...
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [library, ...files] = process.argv.slice(2);
const ICAL = (await import(pathToFileURL(library).href)).default;

const read = (file) => {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  return {
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    events: calendar.getAllSubcomponents("vevent").map((component) => {
      const event = new ICAL.Event(component);
      const moment = (time) => ({
        date: time.isDate,
        utc: time.isDate ? time.toString() : time.toJSDate().toISOString(),
        zone: time.zone ? time.zone.tzid : null,
      });
      return {
        uid: event.uid,
        summary: event.summary,
        sequence: event.sequence,
        status: component.getFirstPropertyValue("status"),
        start: moment(event.startDate),
        end: moment(event.endDate),
        minutes: event.duration.toSeconds() / 60,
        url: component.getFirstPropertyValue("url"),
      };
    }),
  };
};

const result = {};
for (const file of files) {
  result[file] = read(file);
}
process.stdout.write(JSON.stringify(result));
