// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title IndexOracle
/// @notice The index price an expiring instrument settles against, accepted only when a
/// threshold of distinct configured oracle signers has signed the same EIP-712 message.
abstract contract IndexOracle is AccessControl, EIP712 {
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant INDEX_PRICE_TYPEHASH =
        keccak256("IndexPrice(bytes32 instrument,uint64 expiry,uint256 price)");

    /// @notice How many distinct oracle signatures an index price needs.
    uint256 public oracleThreshold;
    /// @notice The posted index price per instrument; zero until posted.
    mapping(bytes32 instrument => uint256) public indexPrice;

    event OracleThresholdSet(uint256 threshold);
    event IndexPosted(bytes32 indexed instrument, uint64 expiry, uint256 price);

    error ZeroThreshold();
    error ZeroIndexPrice();
    error IndexAlreadyPosted(bytes32 instrument);
    error UnauthorisedOracle(address signer);
    error OracleSignaturesNotSorted(address signer);
    error NotEnoughOracleSignatures(uint256 given, uint256 threshold);
    error InvalidSignature(uint256 index);

    function setOracleThreshold(uint256 threshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (threshold == 0) revert ZeroThreshold();
        oracleThreshold = threshold;
        emit OracleThresholdSet(threshold);
    }

    /// @dev Checks the signatures and records the price. Signers must be in strictly
    /// increasing address order, which rules out counting one oracle twice.
    function _postIndex(bytes32 instrument, uint64 expiry, uint256 price, bytes[] calldata signatures) internal {
        if (price == 0) revert ZeroIndexPrice();
        if (indexPrice[instrument] != 0) revert IndexAlreadyPosted(instrument);
        if (signatures.length < oracleThreshold) revert NotEnoughOracleSignatures(signatures.length, oracleThreshold);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(INDEX_PRICE_TYPEHASH, instrument, expiry, price)));
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(digest, signatures[i]);
            if (failure != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (!hasRole(ORACLE_ROLE, signer)) revert UnauthorisedOracle(signer);
            if (signer <= previous) revert OracleSignaturesNotSorted(signer);
            previous = signer;
        }
        indexPrice[instrument] = price;
        emit IndexPosted(instrument, expiry, price);
    }
}
