package org.aio4j.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.aio4j.internal.Errno;

/**
 * What a test engine does to its ops, as the {@link AioTestEngine.Builder} collected it, and the per-op decision
 * (guarded by the backend's lock: the byte counters of {@code failAfterBytes} are state).
 */
final class Script {
    private final Map<OpType, Map<Integer, Errno>> fail = new EnumMap<>(OpType.class);
    private final Map<OpType, Long> failAfterBytes = new EnumMap<>(OpType.class);
    private final Map<OpType, Errno> failAfterErrno = new EnumMap<>(OpType.class);
    private final Map<OpType, Map<Integer, Integer>> shorten = new EnumMap<>(OpType.class);
    private final Map<OpType, Set<Integer>> notCancelable = new EnumMap<>(OpType.class);
    private final Map<OpType, Duration> delay = new EnumMap<>(OpType.class);
    private Long seed;
    private double probability;

    // decision state
    private final long[] counts = new long[OpType.values().length];
    private final long[] bytes = new long[OpType.values().length];
    /** How many ops of each random-draw key (file name, type, position) were decided so far. */
    private final Map<String, Integer> occurrences = new HashMap<>();

    /** One op's fate. */
    static final class Decision {
        Errno fail;
        long length;
        boolean notCancelable;
        long delayNanos;
        final List<String> faults = new ArrayList<>(2);

        boolean plain() {
            return fail == null && !notCancelable && delayNanos == 0 && faults.isEmpty();
        }
    }

    static Errno errno(String name) {
        if (name == null) throw new NullPointerException("errnoName");
        try {
            Errno e = Errno.valueOf(name);
            if (e == Errno.ECANCELED) throw new IllegalArgumentException("ECANCELED is a cancel, not a fault");
            return e;
        } catch (IllegalArgumentException e) {
            if (name.equals("ECANCELED")) throw e;
            throw new IllegalArgumentException("unknown errno name '" + name + "' (aio4j knows "
                    + java.util.Arrays.toString(Errno.values()) + ")");
        }
    }

    void fail(OpType type, int nth, Errno errno) {
        fail.computeIfAbsent(type, t -> new HashMap<>()).put(nth, errno);
    }

    void failAfterBytes(OpType type, long limit, Errno errno) {
        failAfterBytes.put(type, limit);
        failAfterErrno.put(type, errno);
    }

    void shorten(OpType type, int nth, int length) {
        shorten.computeIfAbsent(type, t -> new HashMap<>()).put(nth, length);
    }

    void notCancelable(OpType type, int nth) {
        notCancelable.computeIfAbsent(type, t -> new HashSet<>()).add(nth);
    }

    void delay(OpType type, Duration d) {
        delay.put(type, d);
    }

    void random(long seed, double probability) {
        this.seed = seed;
        this.probability = probability;
    }

    Long seed() {
        return seed;
    }

    Script copy() {
        Script s = new Script();
        fail.forEach((t, m) -> s.fail.put(t, new HashMap<>(m)));
        s.failAfterBytes.putAll(failAfterBytes);
        s.failAfterErrno.putAll(failAfterErrno);
        shorten.forEach((t, m) -> s.shorten.put(t, new HashMap<>(m)));
        notCancelable.forEach((t, m) -> s.notCancelable.put(t, new HashSet<>(m)));
        s.delay.putAll(delay);
        s.seed = seed;
        s.probability = probability;
        return s;
    }

    /**
     * The fate of an op of {@code type} on the file named {@code fileName} (its last path element, or null when the
     * path is unknown) at {@code position}, asking for {@code length} bytes.
     */
    Decision decide(OpType type, String fileName, long position, long length) {
        Decision d = new Decision();
        d.length = length;
        int nth = (int) Math.min(Integer.MAX_VALUE, ++counts[type.ordinal()]);
        Errno f = fail.getOrDefault(type, Map.of()).get(nth);
        Integer shortTo = shorten.getOrDefault(type, Map.of()).get(nth);
        if (shortTo != null && shortTo < length) {
            d.length = shortTo;
            d.faults.add("short " + shortTo + " (" + type + " #" + nth + ")");
        }
        if (notCancelable.getOrDefault(type, Set.of()).contains(nth)) {
            d.notCancelable = true;
            d.faults.add("notCancelable (" + type + " #" + nth + ")");
        }
        Duration dl = delay.get(type);
        if (dl != null && !dl.isZero()) {
            d.delayNanos = dl.toNanos();
            d.faults.add("delay " + dl);
        }
        if (seed != null && probability > 0) randomFault(d, type, fileName == null ? "" : fileName, position);
        if (f != null) {
            d.fail = f;
            d.faults.add("fail " + f + " (" + type + " #" + nth + ")");
        }
        Long limit = failAfterBytes.get(type);
        if (d.fail == null && limit != null) {
            int i = type.ordinal();
            if (bytes[i] + d.length > limit) {
                d.fail = failAfterErrno.get(type);
                d.faults.add("fail " + d.fail + " (" + type + " past " + limit + " bytes)");
            } else {
                bytes[i] += d.length;
            }
        }
        return d;
    }

    /**
     * A seeded fault, drawn from the seed and the op's key only, never from timing or submission order: the file's
     * name, the type, the position, and how many ops with the same name, type and position came before it (a read
     * retried at the same offset is a new draw). Ops submitted in another order from run to run (several in flight,
     * continuations of short transfers, delays) thus get the same faults in every run.
     */
    private void randomFault(Decision d, OpType type, String fileName, long position) {
        String key = fileName + '|' + type + '|' + position;
        int occurrence = occurrences.merge(key, 1, Integer::sum);
        long h = mix(seed ^ 0x243F6A8885A308D3L);
        h = mix(h ^ type.ordinal());
        h = mix(h ^ fileName.hashCode()); // String.hashCode is specified: the same in every JVM
        h = mix(h ^ position);
        h = mix(h ^ occurrence);
        SplittableRandom r = new SplittableRandom(h);
        if (r.nextDouble() >= probability) return;
        String tag = " (random seed=" + seed + ", " + type + " " + fileName + "@" + position
                + (occurrence > 1 ? " #" + occurrence : "") + ")";
        switch (r.nextInt(4)) {
            case 0 -> {
                d.fail = type == OpType.WRITE && r.nextBoolean() ? Errno.ENOSPC : Errno.EIO;
                d.faults.add("fail " + d.fail + tag);
            }
            case 1 -> {
                if (type != OpType.FSYNC && d.length > 1) {
                    d.length = 1 + r.nextLong(d.length - 1);
                    d.faults.add("short " + d.length + tag);
                }
            }
            case 2 -> {
                d.notCancelable = true;
                d.faults.add("notCancelable" + tag);
            }
            default -> {
                long ms = 1 + r.nextInt(5);
                d.delayNanos += ms * 1_000_000L;
                d.faults.add("delay " + ms + "ms" + tag);
            }
        }
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("script[");
        if (!fail.isEmpty()) b.append("fail=").append(fail).append(' ');
        if (!failAfterBytes.isEmpty())
            b.append("failAfterBytes=")
                    .append(failAfterBytes)
                    .append(failAfterErrno)
                    .append(' ');
        if (!shorten.isEmpty()) b.append("shorten=").append(shorten).append(' ');
        if (!notCancelable.isEmpty())
            b.append("notCancelable=").append(notCancelable).append(' ');
        if (!delay.isEmpty()) b.append("delay=").append(delay).append(' ');
        if (seed != null)
            b.append("random(seed=")
                    .append(seed)
                    .append(", p=")
                    .append(probability)
                    .append(") ");
        if (b.charAt(b.length() - 1) == ' ') b.setLength(b.length() - 1);
        return b.append(']').toString();
    }
}
