/*
 * maat/gen.h - the generator of realistic synthetic customer messages in
 * Dutch and English, labelled with intent, tone and urgency. Included by maat.h.
 */
#ifndef MAAT_GEN_H
#define MAAT_GEN_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* MAAT_GEN_H */
