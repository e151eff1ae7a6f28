namespace Optimizer.Compiler.Shapes;

/// <summary>
/// Values for the model's symbolic dimensions in one build (the names in order of first
/// appearance among the inputs; index <c>i</c> is <see cref="SymbolicSize.Symbol"/>'s index).
/// </summary>
internal sealed class SymbolBinding(IReadOnlyList<string> names, IReadOnlyList<long> values)
{
    public IReadOnlyList<string> Names { get; } = names;

    public IReadOnlyList<long> Values { get; } = values;

    /// <summary>The dim for symbol <paramref name="name"/>: its value here, and the symbol.</summary>
    public Dim Of(string name)
    {
        var index = IndexOf(name);
        return new Dim(Values[index], SymbolicSize.Symbol(index, name));
    }

    public int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{name}' is not a symbolic dimension of the model", nameof(name));
    }

    public override string ToString() => string.Join(", ", Names.Select((n, i) => $"{n}={Values[i]}"));
}
