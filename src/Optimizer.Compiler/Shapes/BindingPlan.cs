namespace Optimizer.Compiler.Shapes;

/// <summary>
/// The bindings the compiler builds a graph at: three per attempt, every symbol a different
/// value in each and no two symbols equal, so a size that depends on a symbol differs between
/// builds and a coincidence (batch = sequence length) cannot hide a wrong expression. Sizes
/// first come in multiples of 32 (image models that stride and upsample need them), then small
/// (models whose other dims are small constants a large one would not fit), then large multiples
/// of 256 (audio models whose first window spans hundreds of samples), last multiples of 32 from 224
/// (models that take only a band of sizes: silero VAD v5 at 16 kHz takes chunks of 192–703 samples,
/// a guard, and below 320 its STFT has one frame, a size 1 that would hide the frame count's expression),
/// last a narrow band from 320 in steps of 4 (a model with both of silero's rates compiled takes only the
/// chunks both branches take, 320–351 once the frame count shows).
/// </summary>
internal static class BindingPlan
{
    public const int BuildsPerAttempt = 3;

    public static IEnumerable<SymbolBinding[]> Attempts(IReadOnlyList<string> symbols)
    {
        if (symbols.Count == 0)
        {
            yield return [new SymbolBinding([], [])];
            yield break;
        }

        yield return Attempt(symbols, (symbol, build) => 32L * (2 + build + BuildsPerAttempt * symbol));
        yield return Attempt(symbols, (symbol, build) => 2L + build + BuildsPerAttempt * symbol);
        yield return Attempt(symbols, (symbol, build) => 256L * (4 + build + BuildsPerAttempt * symbol));
        yield return Attempt(symbols, (symbol, build) => 32L * (7 + build + BuildsPerAttempt * symbol));
        yield return Attempt(symbols, (symbol, build) => 4L * (80 + build + BuildsPerAttempt * symbol));
    }

    private static SymbolBinding[] Attempt(IReadOnlyList<string> symbols, Func<int, int, long> value) =>
        Enumerable.Range(0, BuildsPerAttempt).Select(b => new SymbolBinding(symbols, symbols.Select((_, s) => value(s, b)).ToArray())).ToArray();
}
