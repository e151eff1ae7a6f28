namespace Optimizer.Compiler.Shapes;

/// <summary>A comparison the model makes between sizes (Equal, Less, Greater, … on a Shape's output).</summary>
internal enum ShapeRelation
{
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>The signs of <c>a − b</c> each relation holds for, as <see cref="Runtime.Compiled.ShapeGuard.AllowedSigns"/> bits.</summary>
internal static class ShapeRelations
{
    private const byte Negative = 1, Zero = 2, Positive = 4;

    public static byte Signs(ShapeRelation relation, bool holds)
    {
        var signs = relation switch
        {
            ShapeRelation.Equal => Zero,
            ShapeRelation.Less => Negative,
            ShapeRelation.LessOrEqual => Negative | Zero,
            ShapeRelation.Greater => Positive,
            _ => Zero | Positive,
        };
        return (byte)(holds ? signs : ~signs & 7);
    }

    public static bool Holds(ShapeRelation relation, long a, long b) => relation switch
    {
        ShapeRelation.Equal => a == b,
        ShapeRelation.Less => a < b,
        ShapeRelation.LessOrEqual => a <= b,
        ShapeRelation.Greater => a > b,
        _ => a >= b,
    };
}
