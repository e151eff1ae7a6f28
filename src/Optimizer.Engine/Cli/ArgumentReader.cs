namespace Optimizer.Engine.Cli;

/// <summary>Just enough option parsing for <c>--name value</c> and <c>--name=value</c>.</summary>
public static class ArgumentReader
{
    public static string? Value(IReadOnlyList<string> args, string name) => Values(args, name).FirstOrDefault();

    /// <summary>Every value of an option that may be repeated (<c>--pass A --pass B</c>).</summary>
    public static IEnumerable<string> Values(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count)
                yield return args[++i];
            else if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
                yield return args[i][(name.Length + 1)..];
        }
    }
}
