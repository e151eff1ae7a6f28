namespace Optimizer.Runtime.Compiled;

/// <summary>
/// Places the arena's blocks for one input shape: first fit in order of first use, blocks whose
/// step ranges overlap never share bytes; every block 64-byte aligned and at least 64 bytes.
/// </summary>
internal static class ArenaPlanner
{
    public static (long[] Bases, long Total) Place(IReadOnlyList<ArenaStorage> blocks, long[] bytes)
    {
        var bases = new long[blocks.Count];
        // Blocks come in order of first use, so one whose last use is before the current one's
        // first can never overlap a later one either: dropping it keeps the walk linear in the
        // number of blocks alive at once instead of all placed so far.
        var order = Enumerable.Range(0, blocks.Count).OrderBy(i => blocks[i].FirstStep).ThenBy(i => i);
        var placed = new List<(int Block, long Offset, long Size)>();
        long total = 0;
        foreach (var b in order)
        {
            var size = Math.Max(64, Align(bytes[b]));
            placed.RemoveAll(p => blocks[p.Block].LastStep < blocks[b].FirstStep);
            var offset = 0L;
            foreach (var p in placed.Where(p => blocks[p.Block].FirstStep <= blocks[b].LastStep).OrderBy(p => p.Offset))
            {
                if (offset + size <= p.Offset)
                {
                    break;
                }

                offset = Math.Max(offset, p.Offset + p.Size);
            }

            placed.Add((b, offset, size));
            bases[b] = offset;
            total = Math.Max(total, offset + size);
        }

        return (bases, Math.Max(64, total));
    }

    private static long Align(long bytes) => checked(bytes + 63) / 64 * 64;
}
