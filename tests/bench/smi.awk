# smi.awk -v n=N -v t0=T (with time.awk): N rows of nvidia-smi --query-gpu CSV, 4 GPUs sampled
# once a second from T (seconds since 1970), as gc-attest import --format nvidia-smi reads them.
BEGIN {
    print "timestamp, index, uuid, name, power.draw [W], utilization.gpu [%]"
    for (i = 0; i < n; i++) {
        if (i % 4 == 0) {
            t = t0 + int(i / 4)
            ts = rfc3339(t)
            ts = substr(ts, 1, 4) "/" substr(ts, 6, 2) "/" substr(ts, 9, 2) " " substr(ts, 12, 8)
        }
        printf "%s.%03d, %d, GPU-0000000%d-8f36-1c5e-6a5b-3f0e1b2c4d5e, NVIDIA H100 80GB HBM3, %d.%02d W, %d %%\n",
            ts, i % 4 * 7, i % 4, i % 4, 100 + i % 600, i % 100, i % 101
    }
}
