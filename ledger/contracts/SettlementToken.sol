// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title SettlementToken
/// @notice The test settlement token a development chain deploys: six decimals like the
/// stablecoins production points at, and an open faucet so a fresh devnet needs no setup.
contract SettlementToken is ERC20 {
    /// @notice The most one faucet call mints: one million whole tokens.
    uint256 public constant FAUCET_LIMIT = 1_000_000 * 10 ** 6;

    error FaucetLimitExceeded(uint256 requested, uint256 limit);

    constructor() ERC20("hcx Test Dollar", "tUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` base units to the caller.
    function faucet(uint256 amount) external {
        if (amount > FAUCET_LIMIT) revert FaucetLimitExceeded(amount, FAUCET_LIMIT);
        _mint(msg.sender, amount);
    }
}
