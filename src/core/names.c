/*
 * names.c - the names of the library's enumerations, once: tones,
 * urgencies, tiers and agent states, as events, decisions, views and
 * reports spell them.
 */
#include "maat-int.h"

const char *const maat__tone_names[5] = { "neutral", "positive", "frustrated",
                                          "angry", "distressed" };
const char *const maat__urgency_names[4] = { "low", "normal", "high",
                                             "critical" };
const char *const maat__tier_names[4] = { NULL, "T1", "T2", "T3" };
const char *const maat__agent_state_names[5] = { "offline", "available",
                                                 "busy", "recovery",
                                                 "break" };

const char *maat_tone_name(int tone)
{
  return tone >= 0 && tone < 5 ? maat__tone_names[tone] : "?";
}

const char *maat_urgency_name(int urgency)
{
  return urgency >= 0 && urgency < 4 ? maat__urgency_names[urgency] : "?";
}

const char *maat_tier_name(int tier)
{
  return tier >= 1 && tier <= 3 ? maat__tier_names[tier] : "?";
}

const char *maat_agent_state_name(int state)
{
  return state >= 0 && state < 5 ? maat__agent_state_names[state] : "?";
}
