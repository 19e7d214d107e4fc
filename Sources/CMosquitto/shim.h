#ifndef BUTLER_CMOSQUITTO_H
#define BUTLER_CMOSQUITTO_H
#include <mosquitto.h>
#endif
