/*
 * maat/classify.h - hashed text features and the linear text classifier
 * (training, prediction, calibration, out-of-scope, model files).
 * Included by maat.h.
 */
#ifndef MAAT_CLASSIFY_H
#define MAAT_CLASSIFY_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* MAAT_CLASSIFY_H */
