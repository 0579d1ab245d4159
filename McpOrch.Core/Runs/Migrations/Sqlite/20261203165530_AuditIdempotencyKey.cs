using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpOrch.Core.Runs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditIdempotencyKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "audit",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "audit");
        }
    }
}
