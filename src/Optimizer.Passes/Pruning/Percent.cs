using System.Globalization;

namespace Optimizer.Passes.Pruning;

/// <summary>Percentages for reports, invariant and without the space some cultures put before '%'.</summary>
internal static class Percent
{
    public static string Of(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
