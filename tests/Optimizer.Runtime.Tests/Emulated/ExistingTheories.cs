using System.Reflection;
using Xunit.Sdk;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// Runs another test class's theory over its own data rows (its InlineData or MemberData), so the
/// kernel tests' shapes and references run again under a forced kernel table instead of being copied.
/// </summary>
internal static class ExistingTheories
{
    /// <summary>Runs <typeparamref name="TTests"/>'s <paramref name="theory"/> on each of its rows that <paramref name="take"/> accepts (all when null); returns how many ran.</summary>
    public static int Run<TTests>(string theory, Func<object?[], bool>? take = null) where TTests : new()
    {
        var method = typeof(TTests).GetMethod(theory) ?? throw new ArgumentException($"{typeof(TTests).Name} has no {theory}", nameof(theory));
        var rows = method.GetCustomAttributes<DataAttribute>().SelectMany(data => data.GetData(method)).Where(row => take?.Invoke(row) ?? true).ToList();
        Assert.NotEmpty(rows);
        var tests = new TTests();
        foreach (var row in rows)
        {
            try
            {
                method.Invoke(tests, row);
            }
            catch (TargetInvocationException e)
            {
                throw new XunitException($"{typeof(TTests).Name}.{theory}({string.Join(", ", row)}) failed: {e.InnerException?.Message}\n{e.InnerException?.StackTrace}");
            }
        }

        return rows.Count;
    }

    /// <summary>The product of a row's first <paramref name="count"/> arguments (ints): the size filters below bound it, as the software 512-bit vectors are slow.</summary>
    public static long Product(object?[] row, int count) => row.Take(count).Aggregate(1L, (product, value) => product * (int)value!);
}
