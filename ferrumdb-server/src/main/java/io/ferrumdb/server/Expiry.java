package io.ferrumdb.server;

/** Expiry arguments as Redis reads them (t_string.c {@code getExpireMillisecondsOrReply}, expire.c). */
final class Expiry {
    enum Unit {
        SECONDS,
        MILLISECONDS
    }

    private Expiry() {
    }

    /**
     * The absolute expiry (epoch ms) of a SET/GETEX/SETEX option: {@code relative} for EX/PX (added to now),
     * else an absolute EXAT/PXAT. Values of 0 or below, or that overflow, are "invalid expire time".
     */
    static long parseSetExpiry(Call call, int argIndex, Unit unit, boolean relative, String command) {
        long value = call.longArg(argIndex);
        if (value <= 0 || unit == Unit.SECONDS && value > Long.MAX_VALUE / 1000) {
            throw invalid(command);
        }
        long ms = unit == Unit.SECONDS ? value * 1000 : value;
        if (relative) {
            ms += call.now();
        }
        if (ms <= 0) {
            throw invalid(command);
        }
        return ms;
    }

    /** The value after an EX, PX, EXAT or PXAT option at {@code argIndex - 1}, as an absolute expiry. */
    static long parseOption(Call call, int argIndex, String command) {
        String opt = call.option(argIndex - 1);
        Unit unit = opt.startsWith("P") ? Unit.MILLISECONDS : Unit.SECONDS;
        return parseSetExpiry(call, argIndex, unit, !opt.endsWith("AT"), command);
    }

    static CommandError invalid(String command) {
        return new CommandError("ERR invalid expire time in '" + command + "' command");
    }
}
