"""Strings of `shiftdesk db check` and `shiftdesk db rebuild-rollups`."""

STRINGS = {
    "demo.phase.facts": ("統計事實", "figure facts"),
    "rollups.phase.facts": ("由歷史重算統計事實", "recomputing facts from history"),
    "rollups.phase.rollups": ("加總報表彙總", "summing the rollups"),
    "rollups.rebuilt": ("已由歷史重建報表彙總:{facts} 筆事實,耗時 {seconds:.1f} 秒。",
                        "Rollups rebuilt from history: {facts} facts in {seconds:.1f} s."),
    "rollups.check_ok": ("報表彙總與由歷史重建的結果一致:比對 {fields} 個欄位、{facts} 筆事實,全部相同。",
                         "The rollups agree with a rebuild from history: {fields} fields and {facts} facts compared, "
                         "none differ."),
    "rollups.check_bad": ("報表彙總與由歷史重建的結果不一致:{fields} 個欄位中有 {n} 個不同,事實相差 {facts} 筆。"
                          "以 shiftdesk db rebuild-rollups 重建。",
                          "The rollups differ from a rebuild from history: {n} of {fields} fields, {facts} facts. "
                          "Run shiftdesk db rebuild-rollups to rebuild them."),
    "rollups.difference": ("{table} {key} {field}:現值 {live},重建 {rebuilt}",
                           "{table} {key} {field}: live {live}, rebuilt {rebuilt}"),
}
